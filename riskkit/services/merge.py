"""Merging an edit that lost the race with another person's save, field by field.

Three versions of each field meet: what the form showed when the person opened it (the
common ancestor), what they sent (yours) and what is stored now (theirs). A field only
one side changed takes that side's value; a field both changed to different values is a
clash, kept as the person typed it and shown beside theirs, so that the next save is a
choice made knowing the other change. The web forms, and any other face that edits a
versioned record, share this rule."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Marks a field whose original value is not known (a form opened before it carried one):
#: any difference between yours and theirs is then a clash, never silently resolved.
UNKNOWN = object()


@dataclass
class Merge:
    """The outcome: each changed field's name in one of three lists, in form order."""

    taken: list[str] = field(default_factory=list)  # only they changed it: theirs is used
    kept: list[str] = field(default_factory=list)  # only you changed it: yours stays
    clashes: list[str] = field(default_factory=list)  # both, differently: yours stays, shown


def three_way(original: dict, yours: dict, theirs: dict) -> Merge:
    """Compare comparable values (strings, numbers, sorted lists) of the fields in
    `yours`, in its order; a field missing from `original` is UNKNOWN there."""
    merge = Merge()
    for name, mine in yours.items():
        base, now = original.get(name, UNKNOWN), theirs.get(name, mine)
        if mine == now:
            continue  # nobody changed it, or both made the same change
        if base is UNKNOWN:
            merge.clashes.append(name)
        elif now == base:
            merge.kept.append(name)
        elif mine == base:
            merge.taken.append(name)
        else:
            merge.clashes.append(name)
    return merge
