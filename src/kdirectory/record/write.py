"""Write clinic records as YAML files: the form ``kdirectory import`` and ``new`` write and
``write_record`` gives any :class:`~kdirectory.record.model.Clinic`, made in Python or read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from kdirectory.record.model import Clinic


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """``yaml.safe_dump``'s dumper (libyaml's emitter where present), never writing aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Digits are quoted even where YAML 1.1 would read them as text ("02108" is not octal
    # there): YAML 1.2 readers, such as editors' language servers, read them as numbers.
    style = "'" if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_record(record: dict[str, Any]) -> str:
    """One record as YAML: the text of ``yaml.safe_dump(record, sort_keys=False,
    allow_unicode=True)``, with libyaml's emitter where present and strings of digits
    always quoted."""
    text: str = yaml.dump(record, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return text


def write_record(clinic: Clinic) -> str:
    """``clinic`` as the YAML text of a record file, which reads back as the same clinic:
    fields in the model's order, phones in national format, a closed day as ``closed``."""
    data = clinic.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    for name in ("phone", "tracking_phone"):
        phone = getattr(clinic, name)
        if phone is not None:
            data[name] = phone.national
    hours = data.get("hours")
    if isinstance(hours, dict):
        for day, shifts in hours.items():
            if shifts == []:
                hours[day] = "closed"
            elif isinstance(shifts, list) and len(shifts) == 1:
                hours[day] = shifts[0]
    return dump_record(data)
