// The forms of the side panel: typing a sentence onto the canvas, and the operations on
// the selection (mix, blur, analogy, PCA layout) of the built-in plugin.

// What each operation needs: how many selected nodes, and its params from the form's values
// ({mixWeight, blurRadius, blurCount, seed}) and the selection's size.
export const OPERATIONS = {
  mix: { minimum: 2, params: (v, count) => (count === 2 ? { weights: [1 - v.mixWeight, v.mixWeight] } : {}) },
  blur: { minimum: 1, params: (v) => ({ radius: v.blurRadius, count: v.blurCount, seed: v.seed }) },
  analogy: { minimum: 3, exactly: 3, params: () => ({}) },
  "pca-layout": { minimum: 3, params: () => ({}) },
};

// The op.apply payload for `operation` on `selection` (node ids, in the order picked), or
// {error} saying what is missing.
export function operationRequest(operation, selection, values) {
  const spec = OPERATIONS[operation];
  if (!spec) return { error: `unknown operation ${operation}` };
  if (spec.exactly && selection.length !== spec.exactly) {
    return { error: `${operation} needs exactly ${spec.exactly} selected nodes (a, b and c, in order)` };
  }
  if (selection.length < spec.minimum) {
    return { error: `${operation} needs at least ${spec.minimum} selected node${spec.minimum > 1 ? "s" : ""}` };
  }
  const params = spec.params(values, selection.length);
  return { payload: { plugin: "builtin-ops", operation, params, inputs: [...selection], outputs: [] } };
}

export class FormsPanel {
  // elements: {nodeForm, nodeText, mixWeight, blurRadius, blurCount, buttons: {operation: button}};
  // deps: perform(kind, payload) (an undoable op), sendOp(kind, payload), selection(),
  // showError(message).
  constructor(elements, deps) {
    Object.assign(this, elements, deps);
    this.nodeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.addTyped();
    });
    this.nodeText.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.nodeForm.requestSubmit();
      }
    });
    for (const [operation, button] of Object.entries(this.buttons)) {
      button.addEventListener("click", () => this.apply(operation));
    }
  }

  // Puts the typed sentence on the canvas (at its own embedding's place) as an undoable op.
  addTyped() {
    const text = this.nodeText.value.trim();
    if (!text) return;
    const id = `n-${crypto.randomUUID().slice(0, 8)}`;
    this.perform("node.create", { node: id, text, origin: { kind: "typed", parents: [] } });
    this.nodeText.value = "";
  }

  apply(operation) {
    const request = operationRequest(operation, this.selection(), {
      mixWeight: Number(this.mixWeight.value), blurRadius: Number(this.blurRadius.value),
      blurCount: Number(this.blurCount.value), seed: Date.now() % 100000,
    });
    if (request.error) return this.showError(request.error);
    this.sendOp("op.apply", request.payload);
  }
}
