"""
Text search over model fields: PostgreSQL's full-text search in Swedish where the database
is PostgreSQL, a plain substring match elsewhere (SQLite, ``make run``).

Both paths annotate the rows they find with ``search_text`` (the text searched, tags of rich
text stripped) or, on PostgreSQL, ``search_headline`` (a fragment with the matches between
two private-use characters); ``snippet`` turns either into escaped HTML with ``<mark>``.
Nothing a user wrote is ever output as markup: the rich text's tags are removed before the
text is searched or cut, and what remains is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

#: The longest query a search takes, in characters.
MAX_QUERY_LENGTH = 200
#: The most rows a search returns of each kind.
RESULTS_PER_KIND = 50
#: The text search configuration of PostgreSQL: Swedish stemming and stop words.
CONFIG = "swedish"
#: The marks around a match in a headline: private-use characters no user types.
START, STOP = "\ue000", "\ue001"
#: Characters of text shown around the first match of a plain excerpt.
EXCERPT_BEFORE, EXCERPT_AFTER = 60, 160


def full_text_available() -> bool:
    """Whether the database does full-text search (PostgreSQL)."""
    return connection.vendor == "postgresql"


class _StripTags(Func):
    """The text of an HTML field on PostgreSQL: its tags replaced by spaces."""

    function = "regexp_replace"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(expression, Value("<[^>]*>"), Value(" "), Value("g"))


def _document(fields: Sequence[str], html_fields: Sequence[str]):
    """The fields' texts joined by spaces, rich text without its tags (PostgreSQL)."""
    parts = []
    for name in fields:
        part = Coalesce(F(name), Value(""), output_field=TextField())
        parts.append(_StripTags(part) if name in html_fields else part)
    return parts[0] if len(parts) == 1 else _Joined(*parts)


class _Joined(Func):
    """
    Texts joined by spaces, ``(a || ' ' || b)`` (PostgreSQL; each text is never NULL). Not
    ``Concat``: its separators come out as ``COALESCE(' ', '')`` in an index's expression and
    as ``' '`` in a query's, so that the search's GIN index would not serve the search.
    """

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = TextField()


def search_vector(fields: Sequence[str], html_fields: Sequence[str] = ()):
    """The text search vector of the fields (PostgreSQL), as ``text_search`` matches it."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(_document(fields, html_fields), config=CONFIG)


def add_search_index(schema_editor, model, name: str, fields: Sequence[str], html_fields: Sequence[str] = ()) -> None:
    """
    Add a GIN index of the fields' search vector to ``model``'s table on PostgreSQL (nothing
    elsewhere): the very expression ``text_search`` filters on, so that the planner may use
    it (an expression index serves only a query of the same expression). For migrations.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    schema_editor.add_index(model, GinIndex(search_vector(fields, html_fields), name=name))


def remove_search_index(schema_editor, model, name: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def text_search(
    queryset: QuerySet,
    *,
    query: str,
    fields: Sequence[str],
    html_fields: Sequence[str] = (),
    full_text: bool | None = None,
) -> QuerySet:
    """
    Return the rows of ``queryset`` whose ``fields`` match ``query``, best first.

    With full text (PostgreSQL, the default there): the words as a web search takes them
    (``"…"`` for a phrase, ``-word`` to leave out, ``or``), stemmed in Swedish, ranked, with
    ``search_headline``. Without: rows where each word is a substring of one of the fields,
    with ``search_text`` for ``snippet``; the caller orders them. ``html_fields`` are rich
    text, searched without their tags.
    """
    if full_text is None:
        full_text = full_text_available()
    if full_text:
        from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

        document = _document(fields, html_fields)
        search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
        vector = search_vector(fields, html_fields)
        return (
            queryset.annotate(search_vector=vector)
            .filter(search_vector=search_query)
            .annotate(
                search_rank=SearchRank(vector, search_query),
                search_headline=SearchHeadline(
                    document,
                    search_query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=30,
                    min_words=12,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-search_rank", "pk")
        )
    for word in query_words(query):
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    texts = [Coalesce(F(name), Value(""), output_field=TextField()) for name in fields]
    joined = []
    for text in texts:
        joined += [text, Value("\n")]
    return queryset.annotate(
        search_text=Concat(*joined[:-1], output_field=CharField()) if len(texts) > 1 else texts[0]
    )


def query_words(query: str) -> list[str]:
    """The words of a query as the substring search takes them: quotes and a leading minus dropped."""
    words = [word.strip('"').lstrip("-") for word in query.split()]
    return [word for word in words if word]


def plain_text(value: str) -> str:
    """The text of rich text (or of plain text): tags removed, entities read, spaces collapsed."""
    return " ".join(html.unescape(strip_tags(value or "")).split())


def fallback_matches(text: str, query: str) -> bool:
    """Whether each word of ``query`` is in the text of ``text`` (not in its tags)."""
    folded = plain_text(text).casefold()
    return all(word.casefold() in folded for word in query_words(query))


def _marked(text: str, pattern: re.Pattern | None) -> str:
    if pattern is None:
        return escape(text)
    out, end = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[end : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        end = match.end()
    out.append(escape(text[end:]))
    return "".join(out)


def snippet(row, query: str) -> SafeString:
    """
    Return the row's fragment around what matched, as escaped HTML with the matches in
    ``<mark>``: the headline on PostgreSQL, else an excerpt around the first match.
    """
    headline = getattr(row, "search_headline", None)
    if headline is not None:
        text = " ".join(html.unescape(headline).split())
        parts = []
        inside = False
        for piece in re.split(f"([{START}{STOP}])", text):
            if piece in (START, STOP):
                if inside != (piece == START):
                    parts.append("<mark>" if piece == START else "</mark>")
                    inside = piece == START
                continue
            parts.append(escape(piece))
        if inside:
            parts.append("</mark>")
        return mark_safe("".join(parts))  # noqa: S308 -- every piece is escaped
    text = plain_text(getattr(row, "search_text", ""))
    words = sorted(query_words(query), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - EXCERPT_BEFORE) if first else 0
    end = start + EXCERPT_BEFORE + EXCERPT_AFTER
    excerpt = text[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + _marked(excerpt, pattern) + suffix)  # noqa: S308 -- every piece is escaped
