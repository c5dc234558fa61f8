"""Long lists in pages: `?page=N` (from 1) and `?size=N` (10–200, 50 unless asked), the count of all
rows, and links to the previous and next pages that keep the page's other query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

SIZE, SIZES = 50, (10, 200)
R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[R]):
    rows: list[R]
    number: int
    size: int
    total: int
    query: tuple[tuple[str, str], ...]
    path: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when there are none)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def link(self, number: int) -> str:
        params = [(k, v) for k, v in self.query if k not in ("page", "size")]
        params += [("page", str(number))] + ([("size", str(self.size))] if self.size != SIZE else [])
        return f"{self.path}?{urlencode(params)}"

    @property
    def previous(self) -> str | None:
        return self.link(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.number + 1) if self.number < self.pages else None


def requested(request: Request) -> tuple[int, int]:
    """(page number, page size) asked for; anything unreadable means the first page of the usual size."""
    def number(key: str, default: int) -> int:
        text = request.query_params.get(key, "").strip()
        return int(text) if text.isdigit() and len(text) < 7 else default

    size = min(max(number("size", SIZE), SIZES[0]), SIZES[1])
    return max(number("page", 1), 1), size


def window(request: Request, total: int, rows: list[R], number: int, size: int) -> Page[R]:
    """A page already read (its rows from offset (number-1)*size), with the count of all."""
    return Page(rows, number, size, total, tuple(request.query_params.multi_items()), request.url.path)


def paginate(request: Request, rows: list[R]) -> Page[R]:
    """One page of rows already in memory; a page past the end shows the last one."""
    number, size = requested(request)
    pages = max(1, -(-len(rows) // size))
    number = min(number, pages)
    return window(request, len(rows), rows[(number - 1) * size:number * size], number, size)


def offset(request: Request) -> tuple[int, int, int]:
    """(number, size, offset) for a page read from the store."""
    number, size = requested(request)
    return number, size, (number - 1) * size

