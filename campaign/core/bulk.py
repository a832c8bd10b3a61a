"""Bulk writes for seeding large amounts of data: ``bulk_create`` in batches, or COPY on PostgreSQL.

Infrastructure: it knows Django's model layer and the database, no app's models, so every app's
seeding writes its own rows with it.
"""

from __future__ import annotations

import datetime
import io
import operator

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

BATCH = 2000
#: ``bulk_update`` writes one CASE per column with a WHEN per row: PostgreSQL walks it for every row it
#: updates, so the cost grows with the batch squared; small batches keep it linear.
UPDATE_BATCH = 200
COPY_CHUNK = 50_000


def insert(model, rows: list) -> None:
    """Write rows whose keys nothing reads back: COPY on PostgreSQL, ``bulk_create`` elsewhere.

    At five districts the history, rectifications, verifications and photos are 1.3 million rows;
    ``bulk_create`` spends most of its time building 2,000-row INSERT statements in Python, where
    COPY streams the same values (each field's own ``pre_save`` and database preparation, as
    ``bulk_create`` applies them). The keys come from the table's sequence as usual.
    """
    if connection.vendor != "postgresql" or not rows:
        model.objects.bulk_create(rows, batch_size=BATCH)
        return
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the ``connection`` proxy costs a lookup per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    # Plain columns are copied as they are; only fields that transform a value on save (files, automatic
    # dates, decimals, JSON…) go through their own pre_save and preparation.
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)

    def getter(f):
        if isinstance(f, plain) and not isinstance(f, models.FileField):
            return operator.attrgetter(f.attname)
        return lambda row: f.get_db_prep_save(f.pre_save(row, True), db)

    getters = [getter(f) for f in fields]
    quote = db.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with db.cursor() as cursor:
        raw = cursor.cursor  # the driver's own cursor: psycopg 2 or 3
        for start in range(0, len(rows), COPY_CHUNK):
            text = "".join("\t".join([_copy_value(get(row)) for get in getters]) + "\n"
                           for row in rows[start:start + COPY_CHUNK])
            if hasattr(raw, "copy"):
                with raw.copy(statement) as copy:
                    copy.write(text)
            else:
                raw.copy_expert(statement, io.StringIO(text))


def _copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
