"""Leak-walker samples of the outgoing lists: the page takes no URL parameters (the
purpose is a form field), so there is nothing to seed and no foreign kwargs."""


def seed(world):
    pass


FOREIGN_KWARGS: dict = {}
