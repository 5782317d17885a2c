"""Leak-walker samples: cycle."""


def seed(world):
    """Records in each county for the walker."""


FOREIGN_KWARGS: dict = {}
