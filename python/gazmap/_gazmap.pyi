"""Type stubs of the native module (``gazmap._gazmap``), re-exported by ``gazmap``."""

from __future__ import annotations

import os
from typing import Any, Literal, Optional, TypedDict, Union

from typing_extensions import Unpack

import pyarrow

__version__: str
#: The columns ``gazmap clean`` appends (and ``Resolver.clean_arrow`` returns), unprefixed.
GZ_COLUMNS: list[str]

Kind = Literal[
    "country", "region", "province", "district", "city", "town", "village", "other"
]
Status = Literal["matched", "ambiguous", "unmatched"]
Method = Literal["exact", "alternate", "fold", "skeleton", "fuzzy"]

class GazmapError(Exception):
    """A gazetteer that cannot be opened, or a filter that names no place."""

class Candidate(TypedDict):
    """A place a name may mean, with its fields, as ``gazmap resolve --format json`` writes it."""

    id: str
    name: str
    kind: Kind
    country: str
    admin1: str
    admin2: str
    lat: Optional[float]
    lon: Optional[float]
    score: float
    method: Method
    matched_name: str
    reason: str

class _ResolutionBase(TypedDict):
    query: str
    status: Status
    best: Optional[Candidate]
    candidates: list[Candidate]

class Resolution(_ResolutionBase, total=False):
    """One line of ``gazmap resolve --format json``; ``left_out`` only when tied places were cut."""

    left_out: int

class Filters(TypedDict, total=False):
    """The keyword filters, as ``gazmap resolve --within/--country/--kind/--threshold/--top``.

    ``threads`` (how many; 1 = this thread; None: every core) is for the methods that take
    many names; ``clean_arrow`` keeps ``gazmap clean``'s ``top``. A keyword a method does not
    take raises ``TypeError``.
    """

    within: Optional[str]
    country: Optional[str]
    kind: Optional[Kind]
    threshold: Optional[float]
    top: int
    threads: Optional[int]

#: a pyarrow.Array of strings (or any object with __arrow_c_array__), or a pyarrow.ChunkedArray
_ArrowStrings = Any

class Resolver:
    """Resolves place names against one gazetteer; safe to share between threads."""

    def __init__(self, gazetteer: Union[str, os.PathLike[str], None] = None) -> None:
        """Open ``gazetteer`` (CSV, GeoNames dump or ``.gzi``), or the embedded one for ``None``.

        Raises ``GazmapError`` when it cannot be read or is malformed.
        """
    @property
    def places(self) -> int:
        """How many places the gazetteer holds."""
    def resolve(self, name: str, **filters: Unpack[Filters]) -> Resolution:
        """Resolve one name; filters as ``gazmap resolve --within/--country/--kind``."""
    def resolve_many(self, names: list[str], **filters: Unpack[Filters]) -> list[Resolution]:
        """Resolve many names on every core (``threads``: how many; 1 = this thread), GIL released."""
    def resolve_arrow(
        self, names: _ArrowStrings, **filters: Unpack[Filters]
    ) -> Union[pyarrow.StructArray, pyarrow.ChunkedArray]:
        """Resolve a string column read in place: a struct per name (null for a null name).

        A ``pyarrow.ChunkedArray`` (a table's column) gives a ChunkedArray chunked alike.

        Fields: query, status, id, name, kind, country, admin1, admin2, lat, lon, score,
        method, matched_name, reason (null when unmatched), candidates (ids), left_out.
        """
    def clean_arrow(
        self, names: _ArrowStrings, prefix: str = "gz_", **filters: Unpack[Filters]
    ) -> Union[pyarrow.StructArray, pyarrow.ChunkedArray]:
        """The columns ``gazmap clean`` appends for each name, as the very strings it writes."""
    def write_index(self, path: Union[str, os.PathLike[str]]) -> None:
        """Write the gazetteer and its index to an index file (as ``gazmap index build``)."""
