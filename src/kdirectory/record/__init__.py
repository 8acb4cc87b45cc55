"""The clinic record: its model and vocabularies, reading and writing record files, and
validation (schema, model, record rules, directory rules, claims)."""
