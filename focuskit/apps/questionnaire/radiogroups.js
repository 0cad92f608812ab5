// Each rating of the questionnaire as one radio group, for the keyboard and screen readers.
// ipywidgets' RadioButtons draws its options as <input type=radio> without a shared name, so
// every option was a Tab stop of its own (about 180 on say-do) and no group said which
// question it answers. Here each rating's inputs get one name (the browser then makes them a
// group: one Tab stop, arrow keys move and choose) and its box becomes a radiogroup named by
// the question and the rating's label. Runs once per page and follows new pages as they come.
(function () {
  if (window.fkRadioGroups) { return; }
  window.fkRadioGroups = true;
  function fix() {
    document.querySelectorAll('.fk-q .fk-facet').forEach(function (facet) {
      var box = facet.querySelector('.widget-radio-box');
      var label = facet.querySelector('.fk-facet-label[id]');
      if (!box || !label) { return; }
      var item = facet.closest('.fk-item');
      var prompt = item && item.querySelector('.fk-prompt[id]');
      if (box.getAttribute('role') !== 'radiogroup') {
        box.setAttribute('role', 'radiogroup');
        box.setAttribute('aria-labelledby', (prompt ? prompt.id + ' ' : '') + label.id);
      }
      box.querySelectorAll('input[type=radio]').forEach(function (input) {
        if (input.name !== label.id) { input.name = label.id; }
      });
    });
  }
  fix();
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
})();
