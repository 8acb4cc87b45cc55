"""The JSON Schema of a clinic record, generated from the pydantic models.

Published by ``kdirectory schema`` so editors (the VS Code YAML extension, JetBrains IDEs)
complete fields and underline mistakes as a record is typed; also the first validation layer.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

SCHEMA_ID = "https://kdirectory.dev/schema/clinic.json"


@cache
def clinic_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one clinic record file."""
    from kdirectory.record.model import Clinic  # noqa: PLC0415 - models import the vocabularies

    schema = Clinic.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "kdirectory clinic record",
    }


def schema_text() -> str:
    """The schema as stable, pretty JSON text with a trailing newline."""
    return json.dumps(clinic_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
