// Code editors whose text is not an input's value, found from the element a step names — the
// editor itself, an element inside it, or the element it was created in (its parent):
// {kind, get() → the text, set(text) or null}. `null` for anything else.
function editorOf(el) {
  function around(sel) {
    return el.closest(sel) || Array.from(el.children).find((c) => c.matches(sel)) || null;
  }
  // CodeMirror 6: the view hangs off its content element (as EditorView.findFromDOM finds it;
  // `cmTile` from 6.39, `cmView` before).
  const cm6 = around('.cm-editor');
  if (cm6) {
    const content = cm6.querySelector('.cm-content');
    const tile = content && (content.cmTile || content.cmView);
    const view = tile && ((tile.root && tile.root.view) || (tile.rootView && tile.rootView.view) || tile.view);
    if (view && view.state && view.dispatch) {
      return {
        kind: 'CodeMirror 6',
        get: () => view.state.doc.toString(),
        set: (t) => {
          view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t },
                          selection: { anchor: t.length }, userEvent: 'input.type' });
          view.focus();
        },
      };
    }
  }
  // Monaco: through its API when the page has the global `monaco` (the AMD build's); else
  // its rendered lines can be read, and it is typed into.
  const mon = around('.monaco-editor');
  if (mon) {
    const api = window.monaco && window.monaco.editor && window.monaco.editor.getEditors;
    const ed = api && window.monaco.editor.getEditors().find((e) => {
      const n = e.getContainerDomNode();
      return n === mon || n.contains(mon) || mon.contains(n);
    });
    if (ed && ed.getModel()) {
      return {
        kind: 'Monaco',
        get: () => ed.getValue(),
        set: (t) => {
          ed.focus();
          ed.pushUndoStop();
          ed.executeEdits('vedetta', [{ range: ed.getModel().getFullModelRange(), text: t, forceMoveMarkers: true }]);
          ed.pushUndoStop();
        },
      };
    }
    const lines = mon.querySelector('.view-lines');
    return {
      kind: 'Monaco (no API)',
      get: () => (lines ? lines.innerText : '').replace(/\u00a0/g, ' '),
      set: null,
      input: mon.querySelector('textarea'),
    };
  }
  // CodeMirror 5 keeps its instance on its wrapper.
  const cm5 = around('.CodeMirror');
  if (cm5 && cm5.CodeMirror) {
    return {
      kind: 'CodeMirror 5',
      get: () => cm5.CodeMirror.getValue(),
      set: (t) => { cm5.CodeMirror.setValue(t); cm5.CodeMirror.focus(); },
    };
  }
  return null;
}
