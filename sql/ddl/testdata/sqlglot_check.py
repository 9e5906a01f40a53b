"""Parses DDL statements with sqlglot and compares them with what was meant.

Reads JSON from stdin: a list of {"id", "dialect", "sql", "expect"}, where
expect is one of
  {"kind": "create", "catalog", "db", "table", "external", "columns":
   [[name, type, comment]], "partition_columns": [[name, type or ""]],
   "location", "format", "row_format": {...} or null, "properties": {...}}
  {"kind": "add_partitions", "db", "table", "partitions": [{"values": {...},
   "location"}]}
  {"kind": "repair", "db", "table"}
  {"kind": "call", "procedure", "args": [...]}
and prints a JSON list of {"id", "errors": [...]} (no errors: the statement
parsed with the dialect's grammar into exactly what was meant).

Used by sql/ddl's tests; sqlglot comes from scripts/install-sqlglot.sh.
"""
import json
import re
import sys

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType


def text(e):
    """The value of a literal, an identifier or a name."""
    if e is None:
        return None
    if isinstance(e, exp.UnicodeString):
        return re.sub(r"\\(\\|[0-9A-Fa-f]{4})",
                      lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1), 16)),
                      e.this)
    if isinstance(e, (exp.Literal, exp.Identifier, exp.Var)):
        return e.this
    if isinstance(e, str):
        return e
    return e.sql()


def quoted(e):
    """Whether e is an identifier written in the dialect's identifier quotes
    (in Hive a "double-quoted" word is a string, not a name)."""
    return isinstance(e, exp.Identifier) and e.args.get("quoted")


def norm_type(t, dialect):
    return exp.DataType.build(t, dialect=dialect).sql(dialect=dialect)


def parse(sql, dialect):
    """Parses one statement; a fallback to an opaque Command is returned as is."""
    trees = sqlglot.parse(sql, read=dialect)
    if len(trees) != 1:
        raise ValueError(f"{len(trees)} statements")
    return trees[0]


def check_create(tree, d, want, errs):
    if not isinstance(tree, exp.Create) or tree.args.get("kind") != "TABLE":
        errs.append(f"not parsed as CREATE TABLE but {type(tree).__name__}")
        return
    schema = tree.this
    table = schema.this
    for part in table.parts:
        if not quoted(part):
            errs.append(f"{part.sql(d)} in the table name is not a quoted identifier")
    got = {"catalog": table.catalog, "db": table.db, "table": table.name}
    for k in ("catalog", "db", "table"):
        if got[k] != (want.get(k) or ""):
            errs.append(f"{k}: got {got[k]!r}, want {want.get(k)!r}")
    if bool(tree.args.get("exists")) != want["if_not_exists"]:
        errs.append(f"IF NOT EXISTS: got {bool(tree.args.get('exists'))}")
    cols = []
    for cd in schema.expressions:
        if not isinstance(cd, exp.ColumnDef):
            errs.append(f"column list holds {cd.sql(d)}")
            continue
        comment = ""
        for c in cd.args.get("constraints") or []:
            if isinstance(c.args.get("kind"), exp.CommentColumnConstraint):
                comment = text(c.args["kind"].this)
            else:
                errs.append(f"column {cd.name}: unexpected {c.sql(d)}")
        if not quoted(cd.this):
            errs.append(f"column {cd.this.sql(d)} is not a quoted identifier")
        cols.append([cd.this.this, cd.args["kind"].sql(d), comment])
    want_cols = [[n, norm_type(t, d), c] for n, t, c in want["columns"]]
    if cols != want_cols:
        errs.append(f"columns: got {cols}, want {want_cols}")
    props = {}
    external = False
    part_cols = []
    row_format = None
    for p in tree.args["properties"].expressions if tree.args.get("properties") else []:
        if isinstance(p, exp.ExternalProperty):
            external = True
        elif isinstance(p, exp.PartitionedByProperty):
            if isinstance(p.this, exp.Schema):
                for e in p.this.expressions:
                    if isinstance(e, exp.ColumnDef):
                        e, kind = e.this, e.args["kind"].sql(d)
                    else:
                        kind = ""
                    if not quoted(e):
                        errs.append(f"partition column {e.sql(d)} is not a quoted identifier")
                    part_cols.append([text(e), kind])
            elif isinstance(p.this, exp.Array):
                part_cols = [[text(e), ""] for e in p.this.expressions]
            else:
                errs.append(f"PARTITIONED BY {p.sql(d)}")
        elif isinstance(p, exp.LocationProperty):
            props["location"] = text(p.this)
        elif isinstance(p, exp.FileFormatProperty):
            props["format"] = text(p.this).upper()
        elif isinstance(p, exp.RowFormatDelimitedProperty):
            row_format = {k: text(v) for k, v in p.args.items() if v is not None}
        elif isinstance(p, exp.Property):
            key = text(p.this)
            if key == "external_location":
                props["location"] = text(p.args["value"])
            else:
                props[key.lower()] = text(p.args["value"])
        else:
            errs.append(f"unexpected property {p.sql(d)}")
    if external != want["external"]:
        errs.append(f"EXTERNAL: got {external}")
    want_parts = [[n, norm_type(t, d) if t else ""] for n, t in want["partition_columns"]]
    if part_cols != want_parts:
        errs.append(f"partition columns: got {part_cols}, want {want_parts}")
    if want.get("partitions_last"):
        names = [c[0] for c in cols]
        keys = [c[0] for c in part_cols]
        if keys and names[-len(keys):] != keys:
            errs.append(f"partition columns {keys} are not the last columns of {names}")
    for k in ("location", "format"):
        if props.pop(k, None) != want[k]:
            errs.append(f"{k}: want {want[k]!r}")
    if row_format != want.get("row_format"):
        errs.append(f"row format: got {row_format}, want {want.get('row_format')}")
    if props != (want.get("properties") or {}):
        errs.append(f"properties: got {props}, want {want.get('properties')}")


def check_table(table, want, errs):
    if table.db != (want.get("db") or "") or table.name != want["table"]:
        errs.append(f"table: got {table.sql()}, want {want.get('db')}.{want['table']}")


def one_partition(tree, d, errs):
    if not isinstance(tree, exp.Alter) or len(tree.args.get("actions") or []) != 1 \
            or not isinstance(tree.args["actions"][0], exp.AddPartition):
        errs.append(f"not parsed as ALTER TABLE ... ADD PARTITION: {type(tree).__name__}")
        return None, None
    add = tree.args["actions"][0]
    if not add.args.get("exists"):
        errs.append("ADD without IF NOT EXISTS")
    values = {}
    for eq in add.this.expressions:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column) or not quoted(eq.this.this):
            errs.append(f"partition spec {eq.sql(d)} is not quoted_key = value")
            continue
        values[eq.this.name] = text(eq.expression)
    loc = add.args.get("location")
    return values, text(loc.this) if loc else None


def check_add(tree, sql, d, want, errs):
    """sqlglot parses one PARTITION clause per ADD; Hive's and Spark's
    grammar take several. A statement with several is checked clause by
    clause: each, after the statement's own prefix, must parse as one."""
    if isinstance(tree, exp.Alter):
        check_table(tree.this, want, errs)
        got = [one_partition(tree, d, errs)]
    else:
        toks = sqlglot.Dialect.get_or_raise(d).tokenize(sql)
        depth, starts = 0, []
        for t in toks:
            if t.token_type == TokenType.L_PAREN:
                depth += 1
            elif t.token_type == TokenType.R_PAREN:
                depth -= 1
            elif depth == 0 and t.token_type == TokenType.PARTITION:
                starts.append(t.start)
        if not starts:
            errs.append("no PARTITION clause")
            return
        prefix = sql[:starts[0]]
        got = []
        for i, s in enumerate(starts):
            clause = sql[s:starts[i + 1]] if i + 1 < len(starts) else sql[s:]
            one = parse(prefix + clause, d)
            if isinstance(one, exp.Alter):
                check_table(one.this, want, errs)
            got.append(one_partition(one, d, errs))
    want_parts = [(p["values"], p["location"]) for p in want["partitions"]]
    if got != want_parts:
        errs.append(f"partitions: got {got}, want {want_parts}")


def check_repair(tree, d, want, errs):
    # sqlglot keeps MSCK as a command: check its words and its table name.
    if not isinstance(tree, exp.Command) or tree.this.upper() != "MSCK REPAIR":
        errs.append(f"not MSCK REPAIR: {tree.sql(d)}")
        return
    rest = text(tree.expression)
    if not rest.upper().startswith("TABLE "):
        errs.append(f"MSCK REPAIR {rest}")
        return
    check_table(exp.to_table(rest[6:], dialect=d), want, errs)


def check_call(tree, d, want, errs):
    # sqlglot keeps CALL as a command: its procedure call must parse as a
    # function call with literal arguments.
    if not isinstance(tree, exp.Command) or tree.this.upper() != "CALL":
        errs.append(f"not CALL: {tree.sql(d)}")
        return
    call = parse("SELECT " + text(tree.expression), d).expressions[0]
    fn = call.find(exp.Anonymous)
    if fn is None:
        errs.append(f"CALL of {call.sql(d)}")
        return
    qualifier = call.this.sql(d) + "." if isinstance(call, exp.Dot) else ""
    proc = (qualifier + fn.name) if qualifier else fn.name
    if proc.replace('"', "") != want["procedure"]:
        errs.append(f"procedure: got {proc}, want {want['procedure']}")
    args = [text(a) for a in fn.expressions]
    if args != want["args"]:
        errs.append(f"arguments: got {args}, want {want['args']}")


def main():
    out = []
    for case in json.load(sys.stdin):
        d, sql, want = case["dialect"], case["sql"], case["expect"]
        errs = []
        try:
            tree = parse(sql, d)
            kind = want["kind"]
            if kind == "create":
                check_create(tree, d, want, errs)
            elif kind == "add_partitions":
                check_add(tree, sql, d, want, errs)
            elif kind == "repair":
                check_repair(tree, d, want, errs)
            elif kind == "call":
                check_call(tree, d, want, errs)
            else:
                errs.append(f"unknown kind {kind}")
        except Exception as e:  # a parse error is the finding
            errs.append(f"{type(e).__name__}: {e}")
        out.append({"id": case["id"], "errors": errs})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
