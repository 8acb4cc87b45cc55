"""Rules about a record file as a file (it can be read, it is text, it parses as YAML or
JSON into one clinic record, and it holds no control characters), and about the files a
record names: its photos."""

from __future__ import annotations

from kdirectory.catalogue.rule import VALIDATE, Rule

RECORD_FILES = (
    Rule(
        "file.empty",
        "error",
        VALIDATE,
        "a record file holds a record, not nothing or only comments",
        "write one clinic record in the file, or delete it",
    ),
    Rule(
        "file.dangling_link",
        "error",
        VALIDATE,
        "a record file that is a link leads to a file that exists",
        "point the link at a record file, or delete it",
    ),
    Rule(
        "file.link_loop",
        "error",
        VALIDATE,
        "a record file that is a link does not lead back to itself",
        "replace the link with the record file itself",
    ),
    Rule(
        "file.outside_project",
        "error",
        VALIDATE,
        "a record file does not lead out of the project (a link or a linked folder); such "
        "a file is not read",
        "copy the record into data/clinics/ instead of linking to it",
    ),
    Rule(
        "file.folder",
        "error",
        VALIDATE,
        "nothing named like a record (.yaml, .yml, .json) is a folder",
        "rename the folder, and keep one clinic per file directly in data/clinics/",
    ),
    Rule(
        "file.not_regular",
        "error",
        VALIDATE,
        "a record file is a regular file, not a named pipe, socket or device",
        "replace it with a plain .yaml or .json file",
    ),
    Rule(
        "file.unreadable",
        "error",
        VALIDATE,
        "a record file can be read (permissions, I/O errors)",
        "make the file readable, or delete it",
    ),
    Rule(
        "file.too_large",
        "error",
        VALIDATE,
        "a record file is the size of a clinic record: no huge file, no YAML alias bomb",
        "is this the right file? One clinic per file",
    ),
    Rule(
        "file.too_deep",
        "error",
        VALIDATE,
        "lists and fields nest no deeper than a clinic record ever does",
        "a clinic record has at most 4 levels of lists and fields; is this the right file?",
    ),
    Rule(
        "file.binary",
        "error",
        VALIDATE,
        "a record file is text, not binary",
        "save the record as plain text (UTF-8)",
    ),
    Rule(
        "file.encoding",
        "error",
        VALIDATE,
        "a record file is UTF-8",
        "save the file as UTF-8; spreadsheets often export Windows-1252",
    ),
    Rule(
        "file.not_mapping",
        "error",
        VALIDATE,
        "a record file holds one set of fields, not a list or a single value",
        "a record is a set of `field: value` lines, starting with `name:`",
    ),
    Rule(
        "yaml.syntax",
        "error",
        VALIDATE,
        "a .yaml record parses as one YAML document",
        "fix the line named (quotes, indentation, colons); one clinic per file",
    ),
    Rule(
        "yaml.key",
        "error",
        VALIDATE,
        "every field name is plain text, not a list or a set of fields",
        "write the field name as a plain word followed by a colon, e.g. `city:`",
    ),
    Rule(
        "yaml.merge",
        "error",
        VALIDATE,
        "no YAML merge keys (<<)",
        "write the fields out in full",
    ),
    Rule(
        "yaml.duplicate_key",
        "error",
        VALIDATE,
        "no field is given twice in one set of fields (YAML would silently keep the last)",
        "keep one of them",
    ),
    Rule(
        "yaml.alias_cycle",
        "error",
        VALIDATE,
        "no YAML alias (*name) is used inside the value its anchor (&name) marks",
        "write the value out instead of the alias",
    ),
    Rule(
        "yaml.comment_value",
        "error",
        VALIDATE,
        "a value is not lost to a comment (`unit: #210` is an empty unit)",
        'put the value in quotes: unit: "#210"',
    ),
    Rule(
        "yaml.tag",
        "error",
        VALIDATE,
        "no YAML tags (!tag)",
        "remove the !tag",
    ),
    Rule(
        "yaml.sexagesimal",
        "error",
        VALIDATE,
        "no time read by YAML 1.1 as a base-60 number (10:00 is 600)",
        'put times in quotes: "10:00"',
    ),
    Rule(
        "json.syntax",
        "error",
        VALIDATE,
        "a .json record parses as JSON",
        "fix the line named (a missing comma or quote is the usual cause)",
    ),
    Rule(
        "text.control_character",
        "error",
        VALIDATE,
        "no value holds a control character (C0, C1, DEL; tab and newline are fine)",
        "remove it; it is invisible and breaks pages",
    ),
)

PHOTO_FILES = (
    Rule(
        "photos.outside_project",
        "error",
        VALIDATE,
        "a photo's file is in the project folder: no absolute path, no .., no link leading out",
        "copy the file into the project folder and give its path from there",
    ),
    Rule(
        "photos.missing",
        "error",
        VALIDATE,
        "a photo's file exists, is a file and can be read",
        "check the spelling and the folder; paths start at the project folder",
    ),
    Rule(
        "photos.too_large",
        "error",
        VALIDATE,
        "a photo's file is at most 20 MB, with no more pixels than an image is safely opened with",
        "export a smaller version of the image",
    ),
    Rule(
        "photos.not_image",
        "error",
        VALIDATE,
        "a photo's file is a JPEG, PNG or WebP image by its content, named with its kind's "
        "ending, and can be read whole",
        "export the image as JPEG, PNG or WebP, named .jpg, .png or .webp",
    ),
)

RULES = (*RECORD_FILES, *PHOTO_FILES)
