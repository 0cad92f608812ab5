"""The ``focuskit`` command: instruments, demo data, campaigns and their waves, programmes,
staff keys, import, raw export, erasure, the audit log and serving."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from .config import SERVE
from .errors import FocuskitError

__all__ = ["main"]


def _print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _store(args):
    import getpass

    from .store import Store

    store = Store(args.db)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        user = "?"
    store.actor = f"cli:{user}"  # the audit log names who acted from the shell
    return store


def _confirm(args, prompt: str, expected: str) -> None:
    """Go on only when ``--yes`` was given or the person types ``expected``."""
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise FocuskitError(f"{prompt}: add --yes to confirm (nothing was changed)")
    typed = input(f"{prompt}. Type {expected!r} to confirm: ").strip()
    if typed != expected:
        raise FocuskitError("not confirmed; nothing was changed")


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
    from .config import project_data_dir
    from .demo import ORGANISATION, demo_links, seed_store, write_benchmark

    data = project_data_dir()
    bench = data / "benchmark.csv"
    if not bench.exists():
        write_benchmark(data)
    with _store(args) as store:
        made = seed_store(store)
        print(f"Demo data for {ORGANISATION} in {store!r}:")
        rows = [[c, store.counts(c)["submissions"], n] for c, n in made.items()]
        _print_table(rows, ["campaign", "submissions", "new now"])
        links = demo_links(store)
    print(f"Benchmark base: {bench}")
    print("\nSigned links to answer as one more respondent, once `focuskit serve` runs "
          "(more with `focuskit link CAMPAIGN --group GROUP`):")
    _print_table([list(r) for r in links], ["campaign", "group", "link"])
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
                                  comment_threshold=(
                                      args.comment_threshold if args.comment_threshold
                                      is not None else max(10, args.min_group_size)),
                                  status=args.status, segments=args.segments,
                                  link_mode=args.links)
    segs = f", segments {', '.join(c.segments)} only" if c.segments else ""
    print(f"Created {c.id} ({c.status}): {c.instrument.id} {c.instrument.version}, "
          f"{len(c.instrument.items)} items, for {', '.join(c.rater_groups)}, "
          f"groups under {c.min_group_size} withheld, comments shown from "
          f"{c.comment_threshold} respondents, {c.link_mode} links{segs}")
    print(f"Make its links with: focuskit link {c.id} --group {c.rater_groups[0]}"
          + (" --personal N" if c.link_mode == "personal" else ""))
    return 0


def cmd_campaign_wave(args) -> int:
    with _store(args) as store:
        c = store.create_wave(args.campaign, title=args.title, id=args.id)
    where = f", in programme {c.programme}" if c.programme else ""
    print(f"Created {c.id} ({c.status}): wave {c.wave}, after {c.previous}{where}; "
          f"{c.instrument.id} {c.instrument.version} for {', '.join(c.rater_groups)}, groups "
          f"under {c.min_group_size} withheld. No respondent codes or answers carried over.")
    print(f"Make its links with: focuskit link {c.id} --group {c.rater_groups[0]}"
          + (" --personal N" if c.link_mode == "personal" else ""))
    return 0


def cmd_programme_new(args) -> int:
    with _store(args) as store:
        p = store.create_programme(args.id, args.title, organisation=args.org)
    print(f"Created programme {p.id}: {p.title}, of {p.organisation}")
    print(f"Add campaigns with: focuskit programme add {p.id} CAMPAIGN")
    return 0


def cmd_programme_add(args) -> int:
    with _store(args) as store:
        before = store.programme(args.id).campaigns
        p = store.add_to_programme(args.id, args.campaign)
    new = [c for c in p.campaigns if c not in before]
    if new:
        print(f"Added {', '.join(new)} to {p.id}; it holds {len(p.campaigns)} campaign(s)")
    else:
        print(f"{args.campaign} is in {p.id} already; nothing changed")
    return 0


def cmd_programme_list(args) -> int:
    with _store(args) as store:
        progs = store.programmes()
        if not progs:
            print("No programmes yet. Make one with: focuskit programme new ID --title T "
                  "--org NAME")
            return 0
        for n, p in enumerate(progs):
            print(("\n" if n else "") + f"{p.id}: {p.title}, of {p.organisation}; "
                  f"{len(p.campaigns)} campaign(s)")
            rows = []
            for cid in p.campaigns:
                c = store.campaign(cid)
                rows.append([c.id, c.wave, c.previous or "", c.instrument.id, c.status,
                             store.counts(c.id)["submissions"]])
            if rows:
                _print_table(rows, ["campaign", "wave", "after", "instrument", "status",
                                    "submissions"])
    return 0


def cmd_link(args) -> int:
    from .apps.questionnaire.invites import personal_links, personal_links_csv, shared_link
    from .links import join_url, parse_link

    with _store(args) as store:
        if args.personal is None:
            url = shared_link(store, args.campaign, args.group, args.segment,
                              base=args.base_url)
            print(url)
            # The link alone on stdout (for scripts); what people can type instead on stderr.
            link = parse_link(url.split("?", 1)[1])
            code = store.join_code(link.campaign, link.group, link.segment)
            print(f"join code {code}: people can also open {join_url(url, code)}",
                  file=sys.stderr)
        else:
            rows = personal_links(store, args.campaign, args.group, args.segment,
                                  args.personal, base=args.base_url)
            sys.stdout.write(personal_links_csv(rows))
    return 0


def cmd_campaign_status(args) -> int:
    with _store(args) as store:
        c = store.set_status(args.id, args.status)
    print(f"{c.id} is now {c.status}")
    return 0


def cmd_campaign_set(args) -> int:
    if args.min_group_size is None and args.comment_threshold is None:
        raise FocuskitError("give --min-group-size N and/or --comment-threshold N")
    with _store(args) as store:
        old = store.campaign(args.id)
        k = old.min_group_size if args.min_group_size is None else args.min_group_size
        if args.comment_threshold is not None and args.comment_threshold < k:
            raise FocuskitError(f"--comment-threshold {args.comment_threshold} is below the "
                                f"minimum group size {k}; nothing was changed")
        if args.min_group_size is not None:
            store.set_min_group_size(args.id, args.min_group_size)
        if args.comment_threshold is not None:
            store.set_comment_threshold(args.id, args.comment_threshold)
        c = store.campaign(args.id)
    print(f"{c.id}: groups under {c.min_group_size} withheld, comments shown from "
          f"{c.comment_threshold} respondents")
    return 0


def cmd_campaign_delete(args) -> int:
    with _store(args) as store:
        n = store.counts(args.id)["submissions"]
        _confirm(args, f"Delete campaign {args.id} and its {n} submission(s) for good",
                 args.id)
        gone = store.delete_campaign(args.id)
    print(f"Deleted {args.id}: {gone.submissions} submission(s), {gone.drafts} draft(s)")
    return 0


def cmd_erase(args) -> int:
    with _store(args) as store:
        store.campaign(args.campaign)
        _confirm(args, f"Erase every answer and draft of respondent {args.code} in "
                 f"{args.campaign}", args.code)
        from .analysis.anonymity import erase

        gone = erase(store, args.campaign, args.code)
    if not gone.submissions and not gone.drafts:
        print(f"Nothing to erase: no answers or drafts with code {args.code} in "
              f"{args.campaign}")
    else:
        print(f"Erased {gone.submissions} submission(s) ({gone.answers} answers) and "
              f"{gone.drafts} draft(s) of {args.code} from {args.campaign}")
        if gone.withheld:
            print(f"The figures now also leave out the {gone.withheld} other submission(s) "
                  "counted together with theirs, so that no one can work out the erased "
                  "answers by comparing figures from before and after")
    return 0


def cmd_staff_add(args) -> int:
    with _store(args) as store:
        key = store.add_staff(args.name, args.role)
    print(f"{args.name} ({args.role}) can now open the staff pages with this key. It is shown "
          f"once and stored only as a hash; hand it over privately:\n\n  {key}\n")
    return 0


def cmd_staff_list(args) -> int:
    with _store(args) as store:
        rows = [[m.name, m.role, f"{m.created_at:%Y-%m-%d %H:%M}",
                 f"revoked {m.revoked_at:%Y-%m-%d %H:%M}" if m.revoked_at else "active"]
                for m in store.staff()]
    if not rows:
        print("No named staff keys yet; 'focuskit staff add NAME --role viewer' makes one. "
              "The server's --token key is an admin key of its own.")
        return 0
    _print_table(rows, ["name", "role", "created (UTC)", "status"])
    return 0


def cmd_staff_revoke(args) -> int:
    with _store(args) as store:
        m = store.revoke_staff(args.name)
    print(f"{m.name}'s key no longer opens the staff pages")
    return 0


def cmd_audit(args) -> int:
    with _store(args) as store:
        log = store.audit_log(campaign=args.campaign, limit=args.limit)
        if args.out:
            from .io.exports import escape_cells

            # A refused visitor's path is in the log: no cell may run as a formula.
            escape_cells(log).to_csv(args.out, index=False)
            store.log("export", args.campaign, f"audit log ({len(log)} lines)")
            print(f"Wrote {args.out}")
            return 0
    log["campaign"] = log["campaign"].fillna("")
    rows = [[f"{r.at:%Y-%m-%d %H:%M:%S}", r.actor, r.action, r.campaign, r.detail]
            for r in log.itertuples()]
    _print_table(rows, ["at (UTC)", "who", "action", "campaign", "detail"])
    return 0


def cmd_import(args) -> int:
    from .analysis.anonymity import counted_with
    from .io.imports import import_file

    with _store(args) as store:
        res = import_file(store, args.file, args.campaign, mapping=args.mapping,
                          rater_group=args.rater_group, segment=args.segment,
                          format=args.format, check=args.check, replace=args.replace,
                          counted_with=counted_with)
        if not args.check:
            store.log("import", args.campaign, f"{res.created} new submission(s) from "
                      f"{Path(args.file).name}" + (f"; {res.replaced} replaced"
                                                   if res.replaced else ""))
    print("\n".join(res.describe(args.campaign)))
    if args.check:
        print("Nothing stored (--check).")
    return 0


def cmd_export(args) -> int:
    from .io.exports import export

    out = args.out or f"{args.campaign}{'-wide' if args.wide else ''}.{args.format}"
    with _store(args) as store:
        path = export(store, args.campaign, out, format=args.format, wide=args.wide)
        store.log("export raw", args.campaign, f"{args.format}{' wide' if args.wide else ''}")
    print(f"Wrote {path}")
    print("focuskit: that file holds raw answers (respondent codes, times, comments): keep it "
          "among admins", file=sys.stderr)
    return 0


def cmd_report(args) -> int:
    from .report import write_report

    if (args.campaign is None) == (args.programme is None):
        raise FocuskitError("name a campaign (focuskit report CAMPAIGN) or a programme "
                            "(focuskit report --programme ID), not both and not neither")
    fmt = args.format
    out = args.out or f"{args.campaign or args.programme}.{fmt or 'pdf'}"
    folder = Path(out).absolute().parent
    if not folder.is_dir():  # said before the report is built, which takes a while
        raise FocuskitError(f"cannot write {out}: there is no folder {folder}")
    with _store(args) as store:
        if args.programme is not None:
            from .report.programme import write_programme

            path = write_programme(store, args.programme, out, format=fmt)
        else:
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
        expected=args.expected,
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


def cmd_benchmark_load(args) -> int:
    from .analysis.benchmarking import save_benchmark

    try:
        path, n = save_benchmark(args.file, args.source, date=args.date)
    except ValueError as e:
        print(f"focuskit: {e}", file=sys.stderr)
        return 2
    print(f"Benchmark base: {n} organisations from {args.file}, source \"{args.source}\", "
          f"now in {path}")
    return 0


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

    camp = sub.add_parser("campaign", help="create, open, close, archive, set, delete or "
                          "repeat (wave) a campaign")
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
                     help="figures for smaller groups are withheld (default 5, at least 3; "
                     "fixed once the campaign has answers)")
    new.add_argument("--comment-threshold", type=int,
                     help="comments are shown to staff only from items at least this many "
                     "respondents answered (default 10, never below --min-group-size)")
    new.add_argument("--status", choices=["draft", "open", "closed"], default="open")
    new.add_argument("--segments", help="comma-separated segments, the only ones the campaign "
                     "takes (default: any segment its links name)")
    new.add_argument("--links", choices=["shared", "personal"], default="shared",
                     help="shared: one link per group, one answer per browser (default); "
                     "personal: one link and one answer per invitee")
    new.set_defaults(func=cmd_campaign_new)
    for action in ("open", "close"):
        c = csub.add_parser(action, help=f"{action} a campaign")
        c.add_argument("id")
        c.set_defaults(func=cmd_campaign_status, status="closed" if action == "close" else "open")
    arch = csub.add_parser("archive", help="archive a campaign: it takes no answers and its "
                           "data stays")
    arch.add_argument("id")
    arch.set_defaults(func=cmd_campaign_status, status="archived")
    cset = csub.add_parser("set", help="change a campaign's minimum group size (only before "
                           "its first answer) or comment threshold")
    cset.add_argument("id")
    cset.add_argument("--min-group-size", type=int)
    cset.add_argument("--comment-threshold", type=int)
    cset.set_defaults(func=cmd_campaign_set)
    cdel = csub.add_parser("delete", help="delete a campaign and all its answers for good")
    cdel.add_argument("id")
    cdel.add_argument("--yes", action="store_true", help="do not ask for a confirmation")
    cdel.set_defaults(func=cmd_campaign_delete)
    wave = csub.add_parser("wave", help="the next wave of a campaign: same questions, groups "
                           "and thresholds, linked to it; no respondent carried over")
    wave.add_argument("campaign", help="the wave to follow (the latest of its chain)")
    wave.add_argument("--title", required=True)
    wave.add_argument("--id", help="the new wave's id (default: the first wave's id and -wN)")
    wave.set_defaults(func=cmd_campaign_wave)

    prog = sub.add_parser("programme", help="an organisation's assessment programme: its "
                          "campaigns across instruments and their waves")
    psub = prog.add_subparsers(dest="action", required=True, metavar="ACTION")
    pnew = psub.add_parser("new", help="create a programme")
    pnew.add_argument("id", help="slug: lowercase letters, digits and hyphens")
    pnew.add_argument("--title", required=True)
    pnew.add_argument("--org", required=True, help="the organisation it belongs to")
    pnew.set_defaults(func=cmd_programme_new)
    padd = psub.add_parser("add", help="add a campaign, with all its waves, to a programme")
    padd.add_argument("id", help="the programme")
    padd.add_argument("campaign")
    padd.set_defaults(func=cmd_programme_add)
    psub.add_parser("list", help="programmes and their campaigns").set_defaults(
        func=cmd_programme_list)

    staff = sub.add_parser("staff", help="named keys to the staff pages: viewer (dashboards "
                           "and reports) or admin (campaigns, raw data, erasure)")
    ssub = staff.add_subparsers(dest="action", required=True, metavar="ACTION")
    sadd = ssub.add_parser("add", help="make a key for NAME; it is printed once")
    sadd.add_argument("name")
    sadd.add_argument("--role", choices=["viewer", "admin"], required=True)
    sadd.set_defaults(func=cmd_staff_add)
    ssub.add_parser("list", help="staff members and their roles").set_defaults(
        func=cmd_staff_list)
    srev = ssub.add_parser("revoke", help="withdraw NAME's key")
    srev.add_argument("name")
    srev.set_defaults(func=cmd_staff_revoke)

    era = sub.add_parser("erase", help="erase one respondent's answers and drafts by code "
                         "(a data-protection request)")
    era.add_argument("campaign")
    era.add_argument("--code", required=True, help="the respondent's code")
    era.add_argument("--yes", action="store_true", help="do not ask for a confirmation")
    era.set_defaults(func=cmd_erase)

    aud = sub.add_parser("audit", help="who opened, exported, imported, changed or erased what")
    aud.add_argument("--campaign", help="only lines about this campaign")
    aud.add_argument("--limit", type=int, help="newest N lines only")
    aud.add_argument("--out", help="write CSV here instead of printing")
    aud.set_defaults(func=cmd_audit)

    lnk = sub.add_parser("link", help="print a signed respondent link, or personal links as CSV")
    lnk.add_argument("campaign")
    lnk.add_argument("--group", help="rater group (needed when the campaign asks several)")
    lnk.add_argument("--segment", help="segment, e.g. North (one of the campaign's, if fixed)")
    lnk.add_argument("--personal", type=int, metavar="N",
                     help="print N personal links as CSV (code,link), for a campaign made "
                     "with --links personal")
    lnk.add_argument("--base-url", default="http://127.0.0.1:8866",
                     help="the respondents' address (default http://127.0.0.1:8866), e.g. "
                     "https://survey.example.com")
    lnk.set_defaults(func=cmd_link)

    imp = sub.add_parser("import", help="import answers from CSV or Excel (all or nothing)")
    imp.add_argument("file")
    imp.add_argument("--campaign", required=True)
    imp.add_argument("--mapping", help="YAML column mapping for a survey tool's wide export")
    imp.add_argument("--rater-group", help="rater group for rows that give none")
    imp.add_argument("--segment", help="segment for rows that give none")
    from .io.formats import FORMAT_NAMES

    imp.add_argument("--format", choices=list(FORMAT_NAMES),
                     help="the survey tool that wrote the file (default: the mapping's format:, "
                          "else detected from the header)")
    imp.add_argument("--check", action="store_true",
                     help="dry run: report what would be stored, store nothing")
    imp.add_argument("--replace", action="store_true",
                     help="a respondent already stored who answered differently in this file: "
                          "replace their submission (all such, in one transaction)")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="RAW export of a campaign's answers, one row per answer "
                         "with respondent codes, times and comments (admins only; logged; no "
                         "anonymity rules applied)")
    exp.add_argument("campaign")
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--wide", action="store_true", help="one row per submission")
    exp.add_argument("--out", help="output file (default: CAMPAIGN[-wide].FORMAT)")
    exp.set_defaults(func=cmd_export)

    rep = sub.add_parser("report", help="write a campaign's or a programme's executive report "
                         "(PDF or HTML)")
    rep.add_argument("campaign", nargs="?")
    rep.add_argument("--programme", metavar="ID", help="the programme report: every lens, "
                     "the trend across waves and the actions, instead of one campaign's")
    rep.add_argument("-o", "--out", help="output file (default: CAMPAIGN.pdf or ID.pdf); a "
                     ".html name gives HTML")
    rep.add_argument("--format", choices=["pdf", "html"],
                     help="default: from the --out suffix, else pdf")
    rep.set_defaults(func=cmd_report)

    srv = sub.add_parser("serve", help="serve the questionnaire (to anyone with a link) and the "
                         "staff pages (with a token) through Voila")
    srv.add_argument("--host", default=SERVE.host,
                     help="address to listen on (default %(default)s, this machine only; "
                     "0.0.0.0 shares it on the network, e.g. for a workshop room)")
    srv.add_argument("--port", type=int, default=SERVE.port,
                     help="respondents' port (default %(default)s)")
    srv.add_argument("--staff-port", type=int, help="staff port (default: --port + 1)")
    srv.add_argument("--token", help=argparse.SUPPRESS)  # refused: see cmd_serve
    srv.add_argument("--token-file", type=Path, metavar="FILE",
                     help="file holding the staff access key (default: $FOCUSKIT_TOKEN, else "
                     "a new random one printed once)")
    srv.add_argument("--preheat", type=int, default=SERVE.preheat, metavar="N",
                     help="kernels kept ready for the questionnaire (default %(default)s; 0: none)")
    srv.add_argument("--expected", type=int, default=SERVE.expected, metavar="N",
                     help="people expected to open the questionnaire at once (a workshop "
                     "room): keep N kernels ready, as far as memory allows (default %(default)s: "
                     "--preheat); open workshop rounds with an expected number add theirs")
    srv.add_argument("--staff-preheat", type=int, default=SERVE.staff_preheat, metavar="N",
                     help="kernels kept ready for the results dashboard (default %(default)s; 0: none)")
    srv.add_argument("--staff-preheat-max-age", type=int, metavar="SECONDS",
                     default=SERVE.staff_preheat_max_age,
                     help="replace a preheated dashboard kernel after this long, so it shows "
                     "recent answers (default %(default)s; 0: never)")
    srv.add_argument("--max-kernels", type=int, default=SERVE.max_kernels, metavar="N",
                     help="questionnaire pages open at once; more get a 'busy' page "
                     "(default %(default)s; 0: no cap)")
    srv.add_argument("--staff-max-kernels", type=int, default=SERVE.staff_max_kernels, metavar="N",
                     help="staff pages open at once (default %(default)s; 0: no cap)")
    srv.add_argument("--cull-idle", type=int, default=SERVE.cull_idle, metavar="SECONDS",
                     help="shut down a kernel whose page is gone after this long idle "
                     "(default %(default)s; 0: never)")
    srv.add_argument("--cell-timeout", type=int, default=SERVE.cell_timeout, metavar="SECONDS",
                     help="stop a notebook cell running longer while a page is prepared "
                     "(default %(default)s; 0: no limit)")
    srv.add_argument("--notebooks", type=Path, metavar="DIR",
                     help="notebooks folder to serve (default: the ones inside focuskit)")
    srv.add_argument("--public-url", metavar="URL",
                     help="respondents' address behind a reverse proxy, e.g. "
                     "https://survey.example.com (for the links and QR codes staff hand out; "
                     "https makes the cookies Secure)")
    srv.add_argument("--trusted-proxy", action="append", metavar="ADDRESS",
                     help="a reverse proxy (address or network) whose X-Forwarded-For names "
                     "the client; repeat for several (default: none, the peer is the client)")
    srv.add_argument("--connect-within", type=int, default=SERVE.connect_within, metavar="SECONDS",
                     help="shut down the kernel of a page that has not connected this long "
                     "after it was sent (default %(default)s; 0: never)")
    srv.add_argument("--per-client-kernels", type=int, default=SERVE.per_client_kernels, metavar="N",
                     help="questionnaire kernels one client address may hold whose page never "
                     "connected (default %(default)s; 0: no limit)")
    srv.add_argument("--idle-close", type=int, default=SERVE.idle_close, metavar="SECONDS",
                     help="close a questionnaire page silent this long; it resumes from its "
                     "draft on reload (default %(default)s; 0: never)")
    srv.add_argument("--kernel-memory", type=int, default=SERVE.kernel_memory, metavar="MB",
                     help="memory (address space) per questionnaire kernel (default %(default)s; "
                     "0: no cap)")
    srv.set_defaults(func=cmd_serve)

    bench = sub.add_parser("benchmark", help="the benchmark base other organisations form")
    bsub = bench.add_subparsers(dest="action", required=True, metavar="ACTION")
    bload = bsub.add_parser("load", help="load your own base from a CSV (columns: see the "
                            "README); every view then says its source")
    bload.add_argument("file", metavar="FILE", help="a CSV with the columns organisation, "
                       "sector, employees, performance, instrument, measure, facet, value")
    bload.add_argument("--source", required=True, metavar="TEXT",
                       help="where the base comes from, shown beside every benchmark figure")
    bload.add_argument("--date", metavar="YYYY-MM-DD",
                       help="when the base was collected (default: today)")
    bload.set_defaults(func=cmd_benchmark_load)

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
