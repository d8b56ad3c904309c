/**
 * Building DOM without innerHTML: text stays text (player names are user input), and nothing needs
 * an inline style attribute, which the lobby's CSP (`style-src 'self'`) would refuse.
 */

/** What `el` accepts as children: nodes, text, and nothing (for conditional parts). */
export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  /** Space-separated class names. */
  readonly class?: string;
  /** `data-testid`, for the browser test. */
  readonly testid?: string;
  /** Other attributes, e.g. `{ type: 'button' }`. */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** A new element with props and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.testid) element.dataset.testid = props.testid;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  append(element, children);
  return element;
}

/** Append children, skipping the empty ones. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replace every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A `<button type="button">` that calls `onClick`. */
export function button(label: string, onClick: () => void, props: ElementProps = {}): HTMLButtonElement {
  const element = el('button', { ...props, attrs: { type: 'button', ...props.attrs } }, label);
  element.addEventListener('click', onClick);
  return element;
}

/** The message of anything thrown, for showing to a player. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
