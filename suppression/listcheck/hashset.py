"""A set of 64-bit integers in a flat table of machine words: the list check's memory of the
addresses it has seen (their ``hash()``), for duplicates.

A Python ``set`` (or dict) of a million ints holds a 32-byte int object per entry plus a 16- to
24-byte slot, ~70 MB for a million-row list (a third of the check's memory budget); this table
holds the values themselves, 8 bytes a slot at most 60% full: 16 MB for up to 1.25M addresses
(the table starts at 1 MB and grows 1 → 4 → 16 → 32 → 64 MB).
It costs ~0.2 µs more a row than a set. An ``array`` is also a single object the garbage
collector never walks (a set of a million ints is walked at every full collection).
"""

from __future__ import annotations

from array import array

_EMPTY = 0
_STAND_IN = 1  # stored for the value 0, which marks an empty slot (a 2**-64 chance to merge)
_BIG = 1 << 21  # slots: 16 MB


class HashSet:
    """Add and look up 64-bit signed integers (such as ``hash(text)``); open addressing with
    linear probing; the table grows past 60% full (two rehashes up to 1.25M values)."""

    __slots__ = ("_limit", "_mask", "_size", "_table")

    def __init__(self, capacity: int = 1 << 17) -> None:
        self._allocate(max(16, 1 << (capacity - 1).bit_length()))

    def _allocate(self, capacity: int) -> None:
        self._table = array("q", [_EMPTY]) * capacity  # no temporary the size of the table
        self._mask = capacity - 1
        self._limit = capacity * 3 // 5
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, value: int) -> bool:
        """Add ``value``: True if it was not in the set yet."""
        value = value or _STAND_IN
        table = self._table
        mask = self._mask
        index = value & mask
        while True:
            slot = table[index]
            if slot == value:
                return False
            if slot == _EMPTY:
                table[index] = value
                self._size += 1
                if self._size > self._limit:
                    self._grow()
                return True
            index = (index + 1) & mask

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        value = value or _STAND_IN
        table = self._table
        mask = self._mask
        index = value & mask
        while True:
            slot = table[index]
            if slot == value:
                return True
            if slot == _EMPTY:
                return False
            index = (index + 1) & mask

    def _grow(self) -> None:
        old = self._table
        # Fourfold while small (few rehashes), twofold past 16 MB (memory); the old table is
        # walked value by value, never copied into a list of int objects.
        self._allocate(len(old) * (4 if len(old) < _BIG else 2))
        add = self.add
        for value in old:
            if value != _EMPTY:
                add(value)
