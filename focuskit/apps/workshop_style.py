"""The workshop board's look and words: one stylesheet for projector, laptop and phone."""

from __future__ import annotations

__all__ = ["CSS", "GROUP_WORDS", "STATUS_WORDS"]

#: How the board names rater groups in sentences.
GROUP_WORDS = {"self": "the room", "team": "the team", "customer": "customers",
               "partner": "partners", "internal": "internal customers"}

#: The store's action statuses, as the board shows them.
STATUS_WORDS = {"open": "To do", "doing": "Under way", "done": "Done", "dropped": "Dropped"}

CSS = """
<style>
.fk-ws{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
  line-height:1.45;box-sizing:border-box}
.fk-ws-root{max-width:1600px;margin-left:auto!important;margin-right:auto!important}
.fk-ws h1{font-size:1.6em;margin:.1em 0 .3em;color:#102a43}
.fk-ws h2{font-size:1.35em;margin:.2em 0 .4em;color:#102a43}
.fk-ws h3{font-size:1.15em;margin:1em 0 .3em}.fk-ws h4{font-size:1.1em;margin:0 0 .2em}
.fk-ws h2.fk-ws-name{font-size:1.8em;margin:.4em 0 0}
.fk-ws .fk-lead{color:#52606d;margin:0 0 .8em}.fk-ws .fk-note{color:#52606d;margin:.2em 0 .6em}
.fk-ws .widget-html-content{font-size:15px;line-height:1.45}
.fk-ws-bar,.fk-ws-row{gap:8px 14px;align-items:center}
.fk-ws-row{margin:4px 0}
.fk-ws .widget-label{width:auto!important;min-width:0}
.fk-ws .widget-dropdown,.fk-ws .widget-text{min-width:0}
.fk-ws-form{border:1px dashed #9fb3c8;border-radius:12px;padding:4px 16px 10px;
  margin:10px 0;background:#f8fbff;box-sizing:border-box}
.fk-ws-stage{gap:18px;margin:8px 0 14px;align-items:stretch}
.fk-ws-join,.fk-ws-live{flex:1 1 340px;min-width:0;border:1px solid #d9e2ec;border-radius:14px;
  padding:14px 20px 16px;background:#fff;box-sizing:border-box}
.fk-ws-join{flex-grow:1.2}
.fk-qr{background:#fff;padding:6px;text-align:center}
.fk-qr svg{display:block;width:100%;max-width:min(620px,52vh);height:auto;margin:0 auto}
.fk-revealed .fk-qr svg{max-width:220px}
.fk-link{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1em;
  overflow-wrap:anywhere;word-break:break-all;text-align:center;margin:.6em 0 0}
.fk-link a{color:#035388}
.fk-nums{display:flex;flex-wrap:wrap;gap:10px 28px;margin:.2em 0 .4em}
.fk-num{display:flex;flex-direction:column;min-width:120px}
.fk-num b{font-size:clamp(3.2rem,8vw,8rem);line-height:1;font-weight:700;color:#334e68;
  font-variant-numeric:tabular-nums}
.fk-num.sent b{color:#0c6b58}
.fk-num span{font-size:1.1em;color:#52606d;margin-top:.2em}
.fk-others span{display:inline-block;margin-right:12px}.fk-others{color:#52606d;margin:0}
.fk-live{color:#52606d;font-size:.85em;margin:.4em 0}
.fk-live i{display:inline-block;width:9px;height:9px;border-radius:50%;background:#27ab83;
  margin-right:6px;animation:fk-pulse 2s infinite}
@keyframes fk-pulse{0%{opacity:1}50%{opacity:.25}100%{opacity:1}}
.fk-steps{color:#334e68;margin:1.2em 0 0;padding:10px 14px 10px 2em;background:#f0f4f8;
  border-radius:10px}.fk-steps li{margin:.25em 0}
.fk-ws-error p{background:#ffe3e3;border-left:4px solid #e12d39;padding:6px 10px;
  color:#610316;margin:.4em 0}
.fk-ws .fk-ws-reveal{height:auto;min-height:48px;font-size:1.2rem;padding:8px 26px;
  border-radius:8px}
.fk-ws-bad{background:#ffe3e3;border-left:4px solid #e12d39;padding:6px 10px;color:#610316;
  margin:.3em 0}
.fk-ws-ok{background:#e3f9e5;border-left:4px solid #31b237;padding:6px 10px;color:#05400a;
  margin:.3em 0}
.fk-withheld{background:#fffbea;border-left:4px solid #f0b429;padding:8px 12px;color:#8d2b0b}
.fk-ws-results{margin:4px 0 10px}
.fk-plotbox{overflow-x:auto!important;display:block!important;max-width:100%}
.fk-phone{display:none!important;color:#52606d;font-size:.85em;margin:.2em 0}
.fk-agenda{padding-left:1.4em;margin:.4em 0}
.fk-agenda>li{margin:0 0 16px;padding:10px 14px;border:1px solid #d9e2ec;border-radius:10px;
  background:#fff}
.fk-agenda .q{margin:0 0 .3em;color:#334e68}.fk-agenda .fk-spread{margin:0 0 .5em;
  color:#52606d;font-size:.9em}
.fk-agenda .lv{border-left:4px solid #d9e2ec;padding:4px 10px;margin:4px 0;color:#52606d}
.fk-agenda .lv b{margin-right:8px;color:#334e68}.fk-agenda .lv span{display:block}
.fk-agenda .lv.on{border-left-color:#2680c2;background:#e3f8ff;color:#1f2933}
.fk-agenda .lv em{font-style:normal;font-size:.78em;background:#2680c2;color:#fff;
  border-radius:10px;padding:1px 8px;margin-right:6px;white-space:nowrap}
.fk-ws-actions{border-top:1px solid #d9e2ec;margin-top:10px;padding-top:6px}
.fk-ws-act{border-bottom:1px solid #e4e7eb;padding:6px 0;gap:6px 14px;align-items:center}
.fk-act b{display:block;font-weight:600}.fk-act span{color:#52606d;font-size:.9em}
.fk-act.done b{text-decoration:line-through;color:#52606d}.fk-act.dropped{opacity:.6}
.fk-dl{display:inline-block;border:1px solid #2680c2;border-radius:6px;padding:4px 12px;
  margin:8px 8px 6px 0;color:#035388;text-decoration:none;background:#e3f8ff}
@media (max-width:600px){
  .fk-ws-join,.fk-ws-live{padding:10px 12px;flex-basis:100%}
  .fk-qr svg{max-width:300px}
  .fk-num{min-width:0}.fk-num b{font-size:3.2rem}
  .fk-ws h2.fk-ws-name{font-size:1.4em}
  .fk-ws .fk-plotbox img.fk-plot{width:640px!important;max-width:none!important}
  .fk-phone{display:block!important}
  .fk-agenda{padding-left:1.1em}.fk-agenda>li{padding:8px 10px}
}
</style>
"""
