"""Leak-walker samples of the responsibility bulletin: its pages take no URL
parameters (the area and period are query parameters, checked against the
jurisdiction), so there is nothing to seed and no foreign kwargs."""


def seed(world):
    """Nothing to add: the bulletin reads the figures other apps seed."""


FOREIGN_KWARGS: dict = {}
