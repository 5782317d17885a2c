"""Leak-walker samples: care."""


def seed(world):
    """Records in each county for the walker."""


FOREIGN_KWARGS: dict = {}
