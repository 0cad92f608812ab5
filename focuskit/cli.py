"""The ``focuskit`` command: instruments, demo data, import, export and serving."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from .errors import FocuskitError

__all__ = ["main"]


def _print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _store(args):
    from .store import Store

    return Store(args.db)


def cmd_instruments_list(args) -> int:
    from .instruments import builtin_ids, load_instrument

    rows = []
    for iid in builtin_ids():
        inst = load_instrument(iid)
        rows.append([iid, inst.version, len(inst.items), f"{inst.minutes} min", inst.title])
    _print_table(rows, ["id", "version", "items", "time", "title"])
    return 0


def cmd_instruments_show(args) -> int:
    from .instruments import load_instrument

    inst = load_instrument(args.instrument)
    wrap = textwrap.TextWrapper(width=96, subsequent_indent="      ")
    print(f"{inst.title}\n{inst.id} {inst.version} · about {inst.minutes} minutes · "
          f"for {', '.join(inst.audiences)}")
    if inst.description:
        print("\n" + textwrap.fill(inst.description, 96))
    print("\nSource: " + textwrap.fill(inst.source, 88, subsequent_indent="        "))
    print("\nAsked per item:")
    for f in inst.facets:
        s = f.scale
        scale = ", ".join(f"{a.value} {a.label}" for a in s.anchors)
        kind = "choose one" if s.kind == "choice" else f"{s.minimum}-{s.maximum}"
        print(f"  {f.id}: {f.label} [{kind}{': ' + scale if scale else ''}]"
              f"{'' if f.required else ' (optional)'}")
    for sec in inst.sections:
        print(f"\n{sec.title} ({sec.id})")
        for item in sec.items:
            print(wrap.fill(f"  - {item.id}: {item.prompt}"))
            for key, text in item.levels.items():
                print(wrap.fill(f"      {key}: {text}"))
    return 0


def cmd_instruments_validate(args) -> int:
    from .instruments import validate_file

    bad = 0
    for path in args.files:
        problems = validate_file(path)
        if problems:
            bad += 1
            print(f"INVALID {path}")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"OK {path}")
    return 1 if bad else 0


def cmd_demo(args) -> int:
    from .demo import ORGANISATION, seed_store, write_benchmark
    from .store.engine import project_data_dir

    data = project_data_dir()
    bench = data / "benchmark.csv"
    if not bench.exists():
        write_benchmark(data)
    with _store(args) as store:
        made = seed_store(store)
        print(f"Demo data for {ORGANISATION} in {store!r}:")
        rows = [[c, store.counts(c)["submissions"], n] for c, n in made.items()]
        _print_table(rows, ["campaign", "submissions", "new now"])
    print(f"Benchmark base: {bench}")
    return 0


def cmd_campaigns(args) -> int:
    with _store(args) as store:
        rows = [[c.id, c.status, c.instrument.id, store.counts(c.id)["submissions"], c.title]
                for c in store.campaigns()]
    if not rows:
        print("No campaigns yet. Run 'focuskit demo' for demo data.")
        return 0
    _print_table(rows, ["campaign", "status", "instrument", "submissions", "title"])
    return 0


def cmd_campaign_new(args) -> int:
    from .instruments import load_instrument, prompts_from_text, with_items

    inst = load_instrument(args.instrument)
    if args.items:
        try:
            text = Path(args.items).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise FocuskitError(f"{args.items}: cannot read the item list ({e})") from None
        prompts = prompts_from_text(text)
        if not prompts:
            raise FocuskitError(f"{args.items}: no items (one prompt per line)")
        inst = with_items(inst, prompts)
    groups = args.groups.split(",") if args.groups else None
    with _store(args) as store:
        c = store.create_campaign(args.id, args.title, inst, organisation=args.organisation,
                                  rater_groups=groups, min_group_size=args.min_group_size,
                                  status=args.status)
    print(f"Created {c.id} ({c.status}): {c.instrument.id} {c.instrument.version}, "
          f"{len(c.instrument.items)} items, for {', '.join(c.rater_groups)}, "
          f"groups under {c.min_group_size} withheld")
    return 0


def cmd_campaign_status(args) -> int:
    with _store(args) as store:
        c = store.set_status(args.id, args.status)
    print(f"{c.id} is now {c.status}")
    return 0


def cmd_import(args) -> int:
    from .importing import import_file

    with _store(args) as store:
        res = import_file(store, args.file, args.campaign, mapping=args.mapping,
                          rater_group=args.rater_group, segment=args.segment)
    print(f"Imported {res.created} new submission(s) from {res.rows} row(s) into "
          f"{args.campaign}; {res.existing} were already imported.")
    return 0


def cmd_export(args) -> int:
    from .exporting import export

    out = args.out or f"{args.campaign}{'-wide' if args.wide else ''}.{args.format}"
    with _store(args) as store:
        path = export(store, args.campaign, out, format=args.format, wide=args.wide)
    print(f"Wrote {path}")
    return 0


def cmd_report(args) -> int:
    from .report import write_report

    fmt = args.format
    out = args.out or f"{args.campaign}.{fmt or 'pdf'}"
    with _store(args) as store:
        path = write_report(store, args.campaign, out, format=fmt)
    print(f"Wrote {path}")
    return 0


def cmd_serve(args) -> int:
    from .serving import ServeOptions, serve

    if args.token is not None:  # every user of the machine reads a command line with `ps`
        raise FocuskitError("--token on the command line shows the staff key to everyone on "
                            "this machine (ps); set $FOCUSKIT_TOKEN or give --token-file FILE")
    return serve(ServeOptions(
        host=args.host, port=args.port, staff_port=args.staff_port, preheat=args.preheat,
        staff_preheat=args.staff_preheat, max_kernels=args.max_kernels,
        staff_max_kernels=args.staff_max_kernels, cull_idle=args.cull_idle,
        cell_timeout=args.cell_timeout, token_file=args.token_file, notebooks=args.notebooks,
        db=args.db, public_url=args.public_url, staff_pool_max_age=args.staff_preheat_max_age,
        connect_within=args.connect_within, per_client_kernels=args.per_client_kernels,
        idle_close=args.idle_close, trusted_proxy=tuple(args.trusted_proxy or ()),
        kernel_memory=args.kernel_memory))


def _plan_pairs(pairs, flag: str, kind: str) -> dict:
    """NAME=VALUE arguments as a dict; ``kind`` "count" (whole numbers) or "weight"."""
    out = {}
    for raw in pairs or []:
        name, eq, value = raw.rpartition("=")
        name = name.strip()
        if not eq or not name:
            raise FocuskitError(f"{flag} {raw!r}: write NAME=VALUE, e.g. {flag} large=1000")
        text = value.strip().replace(",", "").replace("_", "")
        try:
            number = float(text) if kind == "weight" else int(text)
        except ValueError:
            want = "a number" if kind == "weight" else "a whole number"
            raise FocuskitError(f"{flag} {raw!r}: {value!r} is not {want}") from None
        if not number >= 0:  # negative, or NaN
            what = "a weight" if kind == "weight" else "a count"
            raise FocuskitError(f"{flag} {raw!r}: {what} cannot be negative")
        if name in out:
            raise FocuskitError(f"{flag}: {name!r} is given twice")
        out[name] = number
    return out


def _plan_share(text: str, flag: str, example: str) -> float:
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise FocuskitError(f"{flag} {text!r} is not a number; e.g. {flag} {example}") from None
    if not 0 < value < 1:
        raise FocuskitError(f"{flag} must lie strictly between 0 and 1 (a share, e.g. {example}, "
                            f"or a percentage such as {float(example) * 100:g}%); got {text!r}")
    return value


def cmd_plan(args) -> int:
    from .analysis.planner import contact_plan

    segments = _plan_pairs(args.segment, "--segment", "count")
    if not segments:
        raise FocuskitError("give at least one --segment NAME=SIZE, e.g. --segment "
                            "residential=6000000 --segment large=1000")
    bad = [n for n, v in segments.items() if v < 1]
    if bad:
        raise FocuskitError(f"--segment: the size of {bad[0]!r} must be at least 1")
    margin = _plan_share(args.margin, "--margin", "0.05")
    confidence = _plan_share(args.confidence, "--confidence", "0.95")
    p = _plan_share(args.proportion, "--proportion", "0.5")
    weights = _plan_pairs(args.weight, "--weight", "weight") or None
    planned = _plan_pairs(args.planned, "--planned", "count") or None
    allocation = args.allocation or ("weighted" if weights else "proportional")
    if args.budget is not None and args.budget < 0:
        raise FocuskitError(f"--budget must be 0 or more, not {args.budget}")
    if weights and args.budget is None:
        raise FocuskitError("--weight shares out a budget: give --budget N as well")
    try:
        plan = contact_plan(segments, margin=margin, confidence=confidence, p=p,
                            budget=args.budget, allocation=allocation, weights=weights,
                            planned=planned)
    except ValueError as e:
        raise FocuskitError(str(e)) from None

    def pct(e: float) -> str:
        return "none" if e == float("inf") else f"±{100 * e:.1f}%"

    def num(x) -> str:
        return f"{int(x):,}"

    conf = f"{100 * confidence:g}%"
    print(f"Contacts needed for a margin of ±{100 * margin:g}% at {conf} confidence "
          f"(p = {p:g}; Cochran's sample size with the finite population correction)\n")
    header = ["segment", "customers", "needed"]
    has_plan, has_budget = planned is not None, args.budget is not None
    if has_plan:
        header += ["planned", "margin planned"]
    if has_budget:
        header += [f"allocated ({allocation})", "margin allocated"]
    rows = []
    for r in plan.itertuples(index=False):
        row = [r.segment, num(r.population), num(r.needed)]
        if has_plan:
            row += [num(r.planned), pct(r.margin_planned)]
        if has_budget:
            row += [num(r.allocated), pct(r.margin_allocated)]
        rows.append(row)
    total = ["total", num(plan["population"].sum()), num(plan["needed"].sum())]
    if has_plan:
        total += [num(plan["planned"].sum()), ""]
    if has_budget:
        total += [num(plan["allocated"].sum()), ""]
    _print_table([*rows, total], header)

    print()
    names = list(plan["segment"])
    if has_plan:
        got = plan[plan["planned"] > 0]
        none = [s for s, c in zip(names, plan["planned"], strict=True) if c == 0]
        said = " and ".join(f"{num(c)} contacts to {s} buy a {pct(e)} margin there"
                            for s, c, e in zip(got["segment"], got["planned"],
                                               got["margin_planned"], strict=True))
        if not said:
            print("The plan contacts nobody, so it can say nothing about any segment.")
        else:
            tail = (f", and nothing about {'the other segments' if len(none) > 1 else 'the other segment'}"
                    f" ({', '.join(none)})") if none else ""
            print(f"{said[0].upper()}{said[1:]}{tail}.")
    if has_budget:
        parts = [f"{pct(e)} in {s}" if a > 0 else f"nothing in {s}"
                 for s, a, e in zip(names, plan["allocated"], plan["margin_allocated"],
                                    strict=True)]
        how = {"proportional": "in proportion to size", "equal": "equally",
               "weighted": "by weight"}[allocation]
        print(f"A budget of {num(args.budget)} contacts shared {how} buys "
              f"{', '.join(parts[:-1])}{' and ' if len(parts) > 1 else ''}{parts[-1]}.")
        if plan.attrs.get("unused"):
            print(f"The budget exceeds every customer in every segment: "
                  f"{num(plan.attrs['unused'])} contacts are left over.")
    print(f"For ±{100 * margin:g}% in every segment, plan {num(plan['needed'].sum())} contacts: "
          + ", ".join(f"{num(n)} {s}" for s, n in zip(names, plan["needed"], strict=True)) + ".")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="focuskit", description="Assess how customer-focused an "
                                "organisation really is.")
    p.add_argument("--db", help="database URL (default: $FOCUSKIT_DB_URL or data/focuskit.db)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    inst = sub.add_parser("instruments", help="list, show or validate item banks")
    isub = inst.add_subparsers(dest="action", required=True, metavar="ACTION")
    isub.add_parser("list", help="the built-in instruments").set_defaults(func=cmd_instruments_list)
    show = isub.add_parser("show", help="print an instrument's items and levels")
    show.add_argument("instrument", help="a built-in id or a YAML file")
    show.set_defaults(func=cmd_instruments_show)
    val = isub.add_parser("validate", help="check your own instrument files")
    val.add_argument("files", nargs="+", metavar="FILE")
    val.set_defaults(func=cmd_instruments_validate)

    sub.add_parser("demo", help="load the synthetic demo organisation").set_defaults(func=cmd_demo)
    sub.add_parser("campaigns", help="list campaigns").set_defaults(func=cmd_campaigns)

    camp = sub.add_parser("campaign", help="create, open or close a campaign")
    csub = camp.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = csub.add_parser("new", help="create a campaign")
    new.add_argument("id", help="slug: lowercase letters, digits and hyphens")
    new.add_argument("--title", required=True)
    new.add_argument("--instrument", required=True, help="a built-in id or a YAML file")
    new.add_argument("--items", help="text file, one prompt per line, replacing the item list "
                     "(e.g. your own customer expectations)")
    new.add_argument("--groups", help="comma-separated rater groups (default: the instrument's)")
    new.add_argument("--organisation", default="")
    new.add_argument("--min-group-size", type=int, default=5,
                     help="figures for smaller groups are withheld (default 5)")
    new.add_argument("--status", choices=["draft", "open", "closed"], default="open")
    new.set_defaults(func=cmd_campaign_new)
    for action in ("open", "close"):
        c = csub.add_parser(action, help=f"{action} a campaign")
        c.add_argument("id")
        c.set_defaults(func=cmd_campaign_status, status="closed" if action == "close" else "open")

    imp = sub.add_parser("import", help="import answers from CSV or Excel (all or nothing)")
    imp.add_argument("file")
    imp.add_argument("--campaign", required=True)
    imp.add_argument("--mapping", help="YAML column mapping for a survey tool's wide export")
    imp.add_argument("--rater-group", help="rater group for rows that give none")
    imp.add_argument("--segment", help="segment for rows that give none")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export a campaign's answers")
    exp.add_argument("campaign")
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--wide", action="store_true", help="one row per submission")
    exp.add_argument("--out", help="output file (default: CAMPAIGN[-wide].FORMAT)")
    exp.set_defaults(func=cmd_export)

    rep = sub.add_parser("report", help="write a campaign's executive report (PDF or HTML)")
    rep.add_argument("campaign")
    rep.add_argument("--out", help="output file (default: CAMPAIGN.pdf); a .html name gives HTML")
    rep.add_argument("--format", choices=["pdf", "html"],
                     help="default: from the --out suffix, else pdf")
    rep.set_defaults(func=cmd_report)

    srv = sub.add_parser("serve", help="serve the questionnaire (to anyone with a link) and the "
                         "staff pages (with a token) through Voila")
    srv.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1, this machine only; "
                     "0.0.0.0 shares it on the network, e.g. for a workshop room)")
    srv.add_argument("--port", type=int, default=8866, help="respondents' port (default 8866)")
    srv.add_argument("--staff-port", type=int, help="staff port (default: --port + 1)")
    srv.add_argument("--token", help=argparse.SUPPRESS)  # refused: see cmd_serve
    srv.add_argument("--token-file", type=Path, metavar="FILE",
                     help="file holding the staff access key (default: $FOCUSKIT_TOKEN, else "
                     "a new random one printed once)")
    srv.add_argument("--preheat", type=int, default=2, metavar="N",
                     help="kernels kept ready for the questionnaire (default 2; 0: none)")
    srv.add_argument("--staff-preheat", type=int, default=1, metavar="N",
                     help="kernels kept ready for the results dashboard (default 1; 0: none)")
    srv.add_argument("--staff-preheat-max-age", type=int, default=600, metavar="SECONDS",
                     help="replace a preheated dashboard kernel after this long, so it shows "
                     "recent answers (default 600; 0: never)")
    srv.add_argument("--max-kernels", type=int, default=40, metavar="N",
                     help="questionnaire pages open at once; more get a 'busy' page "
                     "(default 40; 0: no cap)")
    srv.add_argument("--staff-max-kernels", type=int, default=10, metavar="N",
                     help="staff pages open at once (default 10; 0: no cap)")
    srv.add_argument("--cull-idle", type=int, default=600, metavar="SECONDS",
                     help="shut down a kernel whose page is gone after this long idle "
                     "(default 600; 0: never)")
    srv.add_argument("--cell-timeout", type=int, default=300, metavar="SECONDS",
                     help="stop a notebook cell running longer while a page is prepared "
                     "(default 300; 0: no limit)")
    srv.add_argument("--notebooks", type=Path, metavar="DIR",
                     help="notebooks folder to serve (default: the project's notebooks/)")
    srv.add_argument("--public-url", metavar="URL",
                     help="respondents' address behind a reverse proxy, e.g. "
                     "https://survey.example.com (for the links and QR codes staff hand out; "
                     "https makes the cookies Secure)")
    srv.add_argument("--trusted-proxy", action="append", metavar="ADDRESS",
                     help="a reverse proxy (address or network) whose X-Forwarded-For names "
                     "the client; repeat for several (default: none, the peer is the client)")
    srv.add_argument("--connect-within", type=int, default=30, metavar="SECONDS",
                     help="shut down the kernel of a page that has not connected this long "
                     "after it was sent (default 30; 0: never)")
    srv.add_argument("--per-client-kernels", type=int, default=3, metavar="N",
                     help="questionnaire kernels one client address may hold whose page never "
                     "connected (default 3; 0: no limit)")
    srv.add_argument("--idle-close", type=int, default=1800, metavar="SECONDS",
                     help="close a questionnaire page silent this long; it resumes from its "
                     "draft on reload (default 1800; 0: never)")
    srv.add_argument("--kernel-memory", type=int, default=512, metavar="MB",
                     help="memory (address space) per questionnaire kernel (default 512; "
                     "0: no cap)")
    srv.set_defaults(func=cmd_serve)

    plan = sub.add_parser("plan", help="how many customers to contact per segment, and what a "
                          "number of contacts buys (Cochran)")
    plan.add_argument("--segment", action="append", metavar="NAME=SIZE",
                      help="a segment and its number of customers; repeat per segment")
    plan.add_argument("--margin", default="0.05", help="margin of error wanted (default 0.05)")
    plan.add_argument("--confidence", default="0.95", help="confidence level (default 0.95)")
    plan.add_argument("--proportion", default="0.5",
                      help="proportion assumed (default 0.5, the most cautious)")
    plan.add_argument("--budget", type=int, help="contacts to share out across segments")
    plan.add_argument("--allocation", choices=["proportional", "equal", "weighted"],
                      help="how to share the budget (default proportional; weighted with --weight)")
    plan.add_argument("--weight", action="append", metavar="NAME=W",
                      help="value weight of a segment for --allocation weighted")
    plan.add_argument("--planned", action="append", metavar="NAME=N",
                      help="contacts planned now in a segment (others: 0)")
    plan.set_defaults(func=cmd_plan)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FocuskitError as e:
        print(f"focuskit: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
