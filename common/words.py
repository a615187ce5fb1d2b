"""Words a template needs in the active language, translated once per language, not once per use."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.utils.translation import get_language


def per_language(build: Callable[[], dict[str, str]]) -> Callable[[], dict[str, str]]:
    """
    Decorate a function that returns translated words (``gettext`` each): the decorated one
    returns them as made the first time in the active language. For the fragments that are
    rendered many times a page (an entry page with five outcomes asked some 200 translations).
    """

    @functools.cache
    def in_language(language: str | None) -> dict[str, str]:
        return build()

    @functools.wraps(build)
    def words() -> dict[str, str]:
        return in_language(get_language())

    return words
