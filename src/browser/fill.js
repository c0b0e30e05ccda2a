// How `fill` replaces an element's content. arguments = [element, text]. Answers
//   {set: kind}            a code editor, its whole text replaced through its own API;
//   {type: 'selected'}     focused with its content selected: the caller types over it;
//   {type: 'select_all'}   focused: the caller presses Control+a, then types;
//   null                   a form field: the caller clears it and types.
// (`editorOf` comes from editors.js, prepended.)
const [el, text] = arguments;
const editor = editorOf(el);
if (editor && editor.set) {
  editor.set(text);
  return { set: editor.kind };
}
if (editor && editor.input) {
  editor.input.focus();
  return { type: 'select_all' };
}
const tag = el.tagName;
if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return null;
const editable = el.isContentEditable ? el : el.querySelector('[contenteditable]:not([contenteditable=false])');
if (!editable || !editable.isContentEditable) return null;
editable.focus();
const range = document.createRange();
range.selectNodeContents(editable);
const selection = window.getSelection();
selection.removeAllRanges();
selection.addRange(range);
return { type: 'selected' };
