"""The admins' page's cards for the rules and the records: a campaign's anonymity thresholds,
erasing one respondent, archiving or deleting a campaign, and the audit log. A mixin of
``view.Admin``. Every destructive action asks for the code or id to be typed again.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from ...errors import FocuskitError
from ...ui.downloads import MIME, data_link
from .parts import error_html, field, html, ok_html, row, section
from .state import AUDIT_SHOWN


class Records:
    def _build_rules(self):
        self.k_field = w.IntText(value=5, layout=w.Layout(width="100px"))
        self.k_field.add_class("fk-k")
        self.comments_field = w.IntText(value=10, layout=w.Layout(width="100px"))
        self.comments_field.add_class("fk-comment-threshold")
        self.rules_btn = self._button("Save", "fk-save-rules", self.save_rules, "rules_msg",
                                      icon="check")
        self.rules_note = html()
        self.rules_msg = html()
        self.rules_box = section(
            "Anonymity", "No figure about fewer people than the minimum group size is shown "
            "(at least 3; fixed once the campaign has its first answer). Comments reach staff "
            "only from items that at least the comment threshold of people answered.",
            row(field("Minimum group size", self.k_field, grow=0),
                field("Comment threshold", self.comments_field, grow=0), self.rules_btn),
            self.rules_note, self.rules_msg, cls="fk-rules")

    def _build_erase(self):
        self.erase_code = w.Text(placeholder="the respondent's code",
                                 layout=w.Layout(width="100%"))
        self.erase_code.add_class("fk-erase-code")
        self.erase_again = w.Text(placeholder="type the code again",
                                  layout=w.Layout(width="100%"))
        self.erase_again.add_class("fk-erase-again")
        self.erase_btn = self._button("Erase", "fk-erase", self.do_erase, "erase_msg",
                                      style="danger", icon="trash")
        self.erase_msg = html()
        self.delete_again = w.Text(placeholder="type the campaign's id",
                                   layout=w.Layout(width="100%"))
        self.delete_again.add_class("fk-delete-again")
        self.archive_btn = self._button("Archive", "fk-archive", self.do_archive, "delete_msg",
                                        icon="archive")
        self.delete_btn = self._button("Delete for good", "fk-delete", self.do_delete,
                                       "delete_msg", style="danger", icon="trash")
        self.delete_msg = html()
        self.erase_box = section(
            "Erase and retain", "A data-protection request: erase one respondent's answers "
            "and unfinished answers by their code; the rows are deleted, not hidden. Archive a "
            "campaign to stop answers and keep its results; delete it to remove everything.",
            row(field("Respondent's code", self.erase_code),
                field("Confirm", self.erase_again), self.erase_btn), self.erase_msg,
            row(field("Campaign id, to confirm archiving or deleting", self.delete_again),
                self.archive_btn, self.delete_btn), self.delete_msg, cls="fk-erase-box")

    def _build_audit(self):
        self.audit_table = html()
        self.audit_btn = self._button("Download the log (CSV)", "fk-audit-csv",
                                      self.prepare_audit, "audit_out", icon="download")
        self.audit_out = html()
        self.audit_box = section(
            "Audit log", f"Who opened, exported, imported, created, changed or erased what, "
            f"and failed key attempts; the newest {AUDIT_SHOWN} lines.",
            self.audit_table, row(self.audit_btn), self.audit_out, cls="fk-audit")

    # -- actions -----------------------------------------------------------------------------
    def show_rules(self, campaign) -> None:
        self.k_field.value = campaign.min_group_size
        self.comments_field.value = campaign.comment_threshold
        fixed = self.state.has_answers(campaign.id)
        self.k_field.disabled = fixed
        self.rules_note.value = (
            f"<p class='fk-note'>The minimum group size stays {campaign.min_group_size}: the "
            "campaign has answers, and a threshold changed now would let two views of the "
            "same answers be compared.</p>" if fixed else "")

    def save_rules(self) -> None:
        try:
            c = self.state.set_thresholds(self.current, self.k_field.value,
                                          self.comments_field.value)
        except FocuskitError as e:
            self.rules_msg.value = error_html(e)
            return
        self.rules_msg.value = ok_html(f"{c.id}: groups under {c.min_group_size} withheld; "
                                       f"comments from {c.comment_threshold} people.")

    def do_erase(self) -> None:
        try:
            gone = self.state.erase(self.current, self.erase_code.value, self.erase_again.value)
        except FocuskitError as e:
            self.erase_msg.value = error_html(e)
            return
        code = self.erase_code.value.strip()
        self.erase_code.value = self.erase_again.value = ""
        self.export_out.value = ""  # downloads made before still hold the erased answers
        self.erase_msg.value = ok_html(
            f"Erased {gone.submissions} submission(s) and {gone.drafts} unfinished answer "
            f"set(s) of {code}." + (f" The figures now also leave out the {gone.withheld} "
                                    "answer set(s) counted together with theirs, so that "
                                    "comparing figures from before and after gives nothing "
                                    "away." if gone.withheld else "")
            if gone.submissions or gone.drafts else
            f"Nothing to erase: no answers with code {code} in {self.current}.")

    def do_archive(self) -> None:
        cid = self.current
        if self.delete_again.value.strip() != cid:
            self.delete_msg.value = error_html(FocuskitError(
                f"type the campaign's id ({cid}) to confirm; nothing was archived"))
            return
        self.state.set_status(cid, "archived")
        self.delete_again.value = ""
        self.delete_msg.value = ok_html(f"{cid} is archived: it takes no answers; its results "
                                        "stay.")

    def do_delete(self) -> None:
        cid = self.current
        try:
            gone = self.state.delete(cid, self.delete_again.value)
        except FocuskitError as e:
            self.delete_msg.value = error_html(e)
            return
        self.delete_again.value = ""
        self.delete_msg.value = ok_html(f"Deleted {cid} with {gone.submissions} "
                                        "submission(s).")

    def _show_audit_lines(self, _change=None) -> None:
        rows = self.state.audit_lines
        body = "".join(
            f"<tr><td>{r['at']:%Y-%m-%d %H:%M:%S}</td><td>{escape(str(r['actor']))}</td>"
            f"<td>{escape(str(r['action']))}</td><td>{escape(str(r['campaign']))}</td>"
            f"<td>{escape(str(r['detail']))}</td></tr>" for r in rows)
        self.audit_table.value = (
            "<div class='fk-scroll tall' tabindex='0' role='region' aria-label='Audit log'>"
            "<table class='fk-tbl fk-audit-log'><thead><tr>"
            "<th>When (UTC)</th><th>Who</th><th>What</th><th>Campaign</th><th>Detail</th>"
            f"</tr></thead><tbody>{body}</tbody></table></div>")

    def prepare_audit(self) -> None:
        name, data = self.state.audit_csv()
        self.audit_out.value = data_link(data, name, MIME["csv"], "Audit log (CSV)")
