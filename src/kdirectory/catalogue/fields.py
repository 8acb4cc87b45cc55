"""Rules about the fields of a record: the JSON Schema (what editors check as you type), the
record model's types, and each field's own form (phones, ZIPs, hours, vocabularies, …)."""

from __future__ import annotations

from kdirectory.catalogue.rule import VALIDATE, Rule

_DID_YOU_MEAN = "use the field or value the message suggests; `kdirectory schema` lists them all"

SCHEMA = (
    Rule(
        "schema.unknown_field",
        "error",
        VALIDATE,
        "every field is one the JSON Schema of a record knows",
        "fix the spelling (the message suggests the nearest field), or remove the field",
    ),
    Rule(
        "schema.required",
        "error",
        VALIDATE,
        "the fields every record needs are there (name, address with city and region)",
        "add the field",
    ),
    Rule(
        "schema.type",
        "error",
        VALIDATE,
        "every value has the JSON Schema's type (text, a number, a list, a set of fields)",
        "write the value as the message says",
    ),
    Rule(
        "schema.enum",
        "error",
        VALIDATE,
        "a value with a fixed set of choices is one of them",
        _DID_YOU_MEAN,
    ),
    Rule(
        "schema.max_items",
        "error",
        VALIDATE,
        "no list is longer than the JSON Schema allows",
        "list only what this clinic really offers",
    ),
    Rule(
        "schema.max_length",
        "error",
        VALIDATE,
        "no text is longer than the JSON Schema allows",
        "shorten it; is this the right field?",
    ),
    Rule(
        "schema.unique",
        "error",
        VALIDATE,
        "no list holds the same value twice",
        "remove the repeat",
    ),
    Rule(
        "schema.invalid",
        "error",
        VALIDATE,
        "every other constraint of the JSON Schema (patterns, formats, bounds)",
        "write the value in the form the field's description in `kdirectory schema` gives",
    ),
)

MODEL = (
    Rule(
        "model.missing",
        "error",
        VALIDATE,
        "the fields every record needs are given and not empty",
        "add the field",
    ),
    Rule(
        "model.unknown_field",
        "error",
        VALIDATE,
        "every field, at every level (address, hours, providers, …), is one the record has",
        "fix the spelling (the message suggests the nearest field), or remove the field",
    ),
    Rule(
        "model.type",
        "error",
        VALIDATE,
        "every value has its field's type (text, true or false, a number, a list, a set of fields)",
        "write the value as the message says",
    ),
    Rule(
        "model.empty",
        "error",
        VALIDATE,
        "no text field is given but empty",
        "fill it in, or leave the field out",
    ),
    Rule(
        "model.choice",
        "error",
        VALIDATE,
        "a value with a fixed set of choices (payment methods, …) is one of them",
        _DID_YOU_MEAN,
    ),
    Rule(
        "model.too_long",
        "error",
        VALIDATE,
        "every text is within its length limit (`kdirectory schema` lists them)",
        "shorten it; is this the right field?",
    ),
    Rule(
        "model.form",
        "error",
        VALIDATE,
        "a text with a fixed form has it (a slug: lowercase letters, digits, single hyphens)",
        "write it in the form the message gives",
    ),
    Rule(
        "model.range",
        "error",
        VALIDATE,
        "numbers are within their range (latitude -90 to 90, longitude -180 to 180)",
        "check the number (swapped or mistyped coordinates?)",
    ),
    Rule(
        "model.invalid",
        "error",
        VALIDATE,
        "every other check of the record model",
        "change the value as the message says",
    ),
)

VALUES = (
    Rule(
        "list.type",
        "error",
        VALIDATE,
        "a list field is a list, not a single text",
        "write it as a list: [first, second]",
    ),
    Rule(
        "list.too_long",
        "error",
        VALIDATE,
        "no list is longer than its limit (entries of a list, shifts of a day)",
        "list only what this clinic really offers; merge shifts that follow one another",
    ),
    Rule(
        "list.duplicate",
        "error",
        VALIDATE,
        "no list names the same entry twice",
        "remove the repeat",
    ),
    Rule(
        "conditions.unknown",
        "error",
        VALIDATE,
        "every condition is one of the packaged vocabulary (by slug, name or alias)",
        "use the suggested slug; `kdirectory schema` lists the conditions",
    ),
    Rule(
        "therapies.unknown",
        "error",
        VALIDATE,
        "every therapy is one of the packaged vocabulary (by slug, name or alias)",
        "use the suggested slug; `kdirectory schema` lists the therapies",
    ),
    Rule(
        "specialties.unknown",
        "error",
        VALIDATE,
        "every specialty is one of the packaged vocabulary (by slug, name or alias)",
        "use the suggested slug; `kdirectory schema` lists the specialties",
    ),
    Rule(
        "languages.unknown",
        "error",
        VALIDATE,
        "every language is an ISO 639-1 code or an English language name",
        "use a code such as en, es, zh, vi",
    ),
    Rule(
        "phone.type",
        "error",
        VALIDATE,
        "a phone number is written as text, not as a number",
        'write it in quotes, e.g. "(760) 555-0123"',
    ),
    Rule(
        "phone.invalid",
        "error",
        VALIDATE,
        "a phone number is a valid US number (10 digits, a real area code, no other "
        "country); extensions and vanity letters are read",
        "write one phone number with its area code, e.g. (760) 555-0123",
    ),
    Rule(
        "npi.format",
        "error",
        VALIDATE,
        "a provider's NPI is 10 digits, written as text",
        "copy the number from the NPI Registry (npiregistry.cms.hhs.gov), in quotes",
    ),
    Rule(
        "npi.check_digit",
        "error",
        VALIDATE,
        "a provider's NPI ends in the check digit CMS computes (Luhn, with the prefix 80840)",
        "a digit was probably mistyped: compare the number with the NPI Registry",
    ),
    Rule(
        "testimonials.consent",
        "error",
        VALIDATE,
        "every testimonial says consent: true (the clinic holds the patient's written "
        "permission to publish it)",
        "set consent: true only when the clinic holds the patient's written permission; "
        "otherwise remove the testimonial",
    ),
    Rule(
        "url.scheme",
        "error",
        VALIDATE,
        "a web address starts with http:// or https://",
        "use a full address starting with https://",
    ),
    Rule(
        "url.host",
        "error",
        VALIDATE,
        "a web address names a complete host and holds no spaces",
        "write it like https://clinic.example/",
    ),
    Rule(
        "email.invalid",
        "error",
        VALIDATE,
        "an email address looks like one",
        "write it like info@clinic.example",
    ),
    Rule(
        "date.invalid",
        "error",
        VALIDATE,
        "a date is written YYYY-MM-DD and exists",
        "write dates as YYYY-MM-DD, e.g. 2026-12-25",
    ),
    Rule(
        "timezone.unknown",
        "error",
        VALIDATE,
        "a time zone is an IANA name",
        "write it like America/Los_Angeles, or leave it out to derive it from the ZIP",
    ),
    Rule(
        "hours.type",
        "error",
        VALIDATE,
        "opening hours are text",
        'write opening hours as "09:00-17:00" in quotes',
    ),
    Rule(
        "hours.format",
        "error",
        VALIDATE,
        "opening hours are a time range, a list of them, or closed",
        'write it like "09:00-17:00" or "9am-5pm", or "closed"',
    ),
    Rule(
        "hours.time",
        "error",
        VALIDATE,
        "every time exists (00:00-23:59; 24:00 only for midnight at closing)",
        "fix the time",
    ),
    Rule(
        "hours.reversed",
        "error",
        VALIDATE,
        "a shift closes after it opens",
        "for hours past midnight, end this day at 24:00 and start the next at 00:00",
    ),
    Rule(
        "hours.missing",
        "error",
        VALIDATE,
        "a day that is listed has hours",
        'write "closed" or a time range like "09:00-17:00"',
    ),
    Rule(
        "hours.overlap",
        "error",
        VALIDATE,
        "the shifts of one day do not overlap",
        "merge them into one range or fix the times",
    ),
    Rule(
        "special_hours.closed_or_hours",
        "error",
        VALIDATE,
        "special hours give either closed: true or hours, not both and not neither",
        "keep one of them",
    ),
    Rule(
        "address.state",
        "error",
        VALIDATE,
        "the region is a US state (by code or name)",
        "use the 2-letter code, e.g. CA",
    ),
    Rule(
        "address.zip_format",
        "error",
        VALIDATE,
        "the ZIP code is 5 digits or ZIP+4 (a 4-digit ZIP lost its leading zero)",
        'write 5 digits or ZIP+4 in quotes, e.g. "92025"',
    ),
)

RULES = (*SCHEMA, *MODEL, *VALUES)
