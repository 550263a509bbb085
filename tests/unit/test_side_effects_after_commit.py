"""E-mails and tasks leave only after commit: no service sends or enqueues from inside a
transaction that may still roll back (use `transaction.on_commit`).

A source check over the package, beside the behavioural tests of the portal's invitations
(tests/unit/test_portal_services.py, "rolled back")."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "needlechart"
SENDS = {"send_mail", "send_mass_mail", "message_send_now", "message_deliver", "enqueue"}


def _is_atomic(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute | ast.Name) and (
        getattr(target, "attr", None) == "atomic" or getattr(target, "id", None) == "atomic"
    )


def _calls(node: ast.AST) -> list[ast.Call]:
    """Calls made directly in `node`, not in functions or lambdas defined inside it (those
    are what `on_commit` receives)."""
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(child, ast.Call):
            found.append(child)
        found.extend(_calls(child))
    return found


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _sends_inside_atomic(tree: ast.Module) -> list[int]:
    """Lines of sends made in a transaction, also through the module's own helpers (the
    line given is the call in the transaction)."""
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def sends(call: ast.Call, seen: frozenset[str]) -> bool:
        name = _name(call)
        if name in SENDS:
            return True
        if name in helpers and name not in seen:
            return any(sends(c, seen | {name}) for c in _calls(helpers[name]))
        return False

    lines = []
    for node in ast.walk(tree):
        atomic_bodies: list[ast.AST] = []
        if isinstance(node, ast.FunctionDef) and any(map(_is_atomic, node.decorator_list)):
            atomic_bodies.append(node)
        if isinstance(node, ast.With) and any(_is_atomic(i.context_expr) for i in node.items):
            atomic_bodies.append(node)
        for body in atomic_bodies:
            lines += [c.lineno for c in _calls(body) if sends(c, frozenset())]
    return sorted(set(lines))


def test_the_check_finds_a_send_inside_a_transaction() -> None:
    bad = ast.parse(
        "@transaction.atomic\ndef f():\n    send_mail('s', 'b', 'f', ['t'])\n"
        "def g():\n    with transaction.atomic():\n        task.enqueue()\n"
        "def h():\n    with transaction.atomic():\n"
        "        transaction.on_commit(lambda: message_send_now(patient=p))\n"
        "def _helper():\n    send_mail('s', 'b', 'f', ['t'])\n"
        "@transaction.atomic\ndef k():\n    _helper()\n"
    )
    assert _sends_inside_atomic(bad) == [3, 6, 14]


def test_no_send_inside_a_transaction() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        for line in _sends_inside_atomic(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
