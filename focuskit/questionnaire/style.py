"""The questionnaire's look: one stylesheet, scoped to ``.fk-q`` so nothing else on the page changes.

ipywidgets' own styles assume fixed-width controls on one line; these rules let text wrap,
make choices big enough to tap, keep everything inside a 390 px phone screen and show a
visible focus ring for keyboard users.
"""

CSS = """
<style>
.fk-q{--fk-ink:#1f2933;--fk-muted:#52606d;--fk-line:#cbd2d9;--fk-soft:#f5f7fa;
  --fk-blue:#1d4ed8;--fk-blue-soft:#eef4ff;--fk-red:#b42318;--fk-red-soft:#fff4f2;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fk-ink);
  font-size:16px;line-height:1.5;max-width:760px;margin:0 auto;width:100%;
  box-sizing:border-box;padding:0 2px 40px}
.fk-q *,.fk-q *::before,.fk-q *::after{box-sizing:border-box}
.fk-q .widget-html,.fk-q .widget-html-content,.fk-q .jupyter-widget-html-content{
  width:100%;max-width:100%;height:auto;line-height:1.5;font-size:inherit;
  white-space:normal;overflow-wrap:break-word;margin:0}
.fk-q .widget-box,.fk-q .widget-vbox{max-width:100%;min-width:0}
.fk-q h1{font-size:1.55rem;line-height:1.25;margin:.4em 0 .3em}
.fk-q h2{font-size:1.25rem;line-height:1.3;margin:.2em 0 .2em}
.fk-q h2:focus{outline:none}
.fk-q p{margin:.35em 0 .7em}
.fk-lead{color:var(--fk-muted)}
.fk-q .fk-top{display:flex;flex-direction:column;gap:4px;margin:6px 0 14px}
.fk-campaign{font-size:.9rem;color:var(--fk-muted);overflow-wrap:anywhere}
.fk-bar{height:8px;background:#e4e7eb;border-radius:4px;overflow:hidden}
.fk-bar>div{height:100%;background:var(--fk-blue);border-radius:4px;transition:width .2s}
.fk-bar-text{font-size:.88rem;color:var(--fk-muted)}
.fk-facts{list-style:none;padding:0;margin:.6em 0 1em}
.fk-facts li{padding:.3em 0 .3em 1.3em;position:relative}
.fk-facts li::before{content:"";position:absolute;left:.2em;top:.85em;width:.45em;height:.45em;
  border-radius:50%;background:var(--fk-blue)}
.fk-box{background:var(--fk-soft);border-radius:10px;padding:12px 16px;margin:10px 0}
.fk-box h3{font-size:1.02rem;margin:0 0 .3em}
.fk-privacy{font-size:.93rem;padding:10px 14px}
.fk-privacy p{margin:0 0 .3em}
.fk-privacy summary{cursor:pointer;color:var(--fk-blue)}
.fk-q h1 + .fk-lead{margin-top:.2em}
.fk-q .fk-facts + .fk-box + h2,.fk-q .fk-facts + h2{margin-top:1.1em}
.fk-legend{font-size:.9rem;color:var(--fk-muted);margin:.2em 0 .8em}
.fk-req{color:var(--fk-red);font-weight:700;margin-left:.15em}
.fk-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.fk-q .fk-item{border:1px solid var(--fk-line);border-radius:12px;padding:14px 14px 10px;
  margin:0 0 14px;background:#fff;width:100%}
.fk-q .fk-item.fk-missing{border:2px solid var(--fk-red);background:var(--fk-red-soft)}
.fk-prompt{font-weight:600;font-size:1.05rem}
.fk-num{color:var(--fk-muted);font-weight:600;margin-right:.3em}
.fk-optional{font-weight:400;color:var(--fk-muted);font-size:.9rem}
.fk-q .fk-facets{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));
  gap:4px 20px;width:100%;margin-top:6px;align-items:end}
.fk-q .fk-facet{min-width:0;width:100%}
.fk-facet-label{font-size:.93rem;color:var(--fk-ink);margin:.5em 0 .3em;font-weight:500}
.fk-q .widget-radio{width:100%;max-width:100%;height:auto;margin:0}
.fk-q .widget-radio-box{margin:0;width:100%;gap:8px}
.fk-q .widget-radio-box label{height:auto;line-height:1.4;font-size:15px;display:flex;
  align-items:flex-start;gap:10px;padding:10px 12px;border:1px solid var(--fk-line);
  border-radius:8px;background:#fff;cursor:pointer;white-space:normal;margin:0;
  overflow-wrap:break-word;min-width:0}
.fk-q .widget-radio-box input{order:-1;float:none;flex:none;width:18px;height:18px;
  margin:2px 0 0;accent-color:var(--fk-blue);cursor:pointer}
.fk-q .widget-radio-box label:hover{border-color:#9aa5b1}
.fk-q .widget-radio-box label:has(input:checked){border-color:var(--fk-blue);
  background:var(--fk-blue-soft);box-shadow:inset 0 0 0 1px var(--fk-blue)}
.fk-q .widget-radio-box label:has(input:focus-visible){outline:3px solid #93c5fd;
  outline-offset:1px}
.fk-q .fk-pills .widget-radio-box{flex-direction:row;flex-wrap:nowrap;gap:6px}
.fk-q .fk-pills .widget-radio-box label{flex:1 1 0;flex-direction:column;align-items:center;
  text-align:center;gap:4px;padding:8px 2px;white-space:pre-line;font-size:14px;
  line-height:1.25;hyphens:auto}
.fk-q .fk-pills .widget-radio-box input{margin:0}
.fk-q .fk-msg{color:var(--fk-red);font-weight:600;margin:4px 0 0}
.fk-q .fk-msg:empty{display:none}
.fk-q .fk-comment-toggle{width:auto;height:auto;background:none;border:none;box-shadow:none;
  color:var(--fk-blue);padding:8px 0;margin:4px 0 0;font-size:.93rem;text-decoration:underline;
  cursor:pointer;align-self:flex-start;text-align:left}
.fk-q .fk-comment-label{font-size:.93rem;margin:.6em 0 .2em;color:var(--fk-muted)}
.fk-q .widget-textarea{width:100%;max-width:100%;margin:0}
.fk-q .widget-textarea textarea{font-size:16px;font-family:inherit;line-height:1.4;
  padding:8px 10px;border-radius:8px;min-height:64px;resize:vertical}
.fk-q .fk-nav{display:flex;flex-wrap:wrap;gap:12px;justify-content:space-between;
  align-items:center;margin:8px 0 4px;width:100%}
.fk-q .fk-nav .jupyter-button,.fk-q .fk-start{height:auto;min-height:46px;width:auto;
  padding:10px 22px;font-size:16px;border-radius:8px;line-height:1.3;
  border:1px solid var(--fk-line);background:#fff;color:var(--fk-ink)}
.fk-q .jupyter-button.fk-primary{background:var(--fk-blue);border-color:var(--fk-blue);
  color:#fff;font-weight:600;margin-left:auto}
.fk-q .jupyter-button.fk-primary:disabled{opacity:.6}
.fk-q .jupyter-button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.fk-q .fk-notice{border-radius:8px;padding:10px 14px;margin:6px 0}
.fk-q .fk-notice.warning,.fk-q .fk-notice.error{background:var(--fk-red-soft);
  border:1px solid var(--fk-red);color:var(--fk-red);font-weight:600}
.fk-q .fk-notice.info{background:var(--fk-blue-soft);border:1px solid #bfd3fe}
.fk-q .fk-notice a{color:inherit}
.fk-saved{font-size:.85rem;color:var(--fk-muted);margin:4px 0}
.fk-profile h3{font-size:1.08rem;margin:1.2em 0 .4em}
.fk-answer{border-top:1px solid #e4e7eb;padding:10px 0}
.fk-answer .fk-prompt{font-size:1rem}
.fk-rating{display:flex;flex-wrap:wrap;align-items:center;gap:4px 10px;margin:.35em 0}
.fk-rating .fk-facet-name{font-size:.9rem;color:var(--fk-muted);min-width:6.5em}
.fk-dots{display:inline-flex;gap:4px}
.fk-dots i{width:14px;height:14px;border-radius:50%;border:2px solid #9aa5b1;display:inline-block}
.fk-dots i.on{background:var(--fk-blue);border-color:var(--fk-blue)}
.fk-chosen{font-weight:600}
.fk-descriptor{color:var(--fk-muted);font-size:.93rem;margin:.1em 0 .2em}
.fk-your-comment{font-size:.93rem;font-style:italic;color:var(--fk-muted)}
.fk-problem{max-width:560px;margin:40px auto}
@media (max-width:480px){
  .fk-q{font-size:16px}
  .fk-q h1{font-size:1.35rem}
  .fk-q .fk-item{padding:12px 10px 8px;border-radius:10px}
  .fk-q .fk-nav .jupyter-button{flex:1 1 40%}
}
</style>
"""
