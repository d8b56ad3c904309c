/**
 * Canvas 2D drawing of the arena: a dark field with a faint grid, glowing orbs, players as colored
 * discs with their names, the local player ringed, and the touch joystick. The canvas fills its
 * element at the device's pixel ratio; the world keeps its aspect, as large as fits beside the
 * HUD's boxes (field-layout.ts), and the canvas's `data-field` says where it went.
 */
import { ORB_RADIUS, PLAYER_RADIUS, WORLD } from '../../server/games/arena/rules.ts';
import type { Frame, PlayerView } from './arena-match.ts';
import type { Joystick } from './controls.ts';
import { type Box, placeField } from './field-layout.ts';

/** Grid spacing in world units, and every how many lines a brighter one falls. */
const GRID = 40;
const MAJOR_EVERY = 5;
/** Screen margin around the field in CSS pixels. */
const MARGIN = 20;
/** How far back a player's trail reaches, in ms. */
const TRAIL_MS = 240;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** The world -> CSS pixel mapping of the current canvas size. */
interface View {
  readonly scale: number;
  readonly left: number;
  readonly top: number;
}

/** Where the HUD's boxes are, relative to the canvas, in CSS pixels. */
export type HudBoxes = () => readonly Box[];

/** A soft radial glow, drawn once and stamped for every orb (cheaper than shadowBlur per orb). */
function glowSprite(size: number, inner: string, outer: string): HTMLCanvasElement {
  const sprite = document.createElement('canvas');
  sprite.width = sprite.height = size;
  const ctx = sprite.getContext('2d')!;
  const r = size / 2;
  const gradient = ctx.createRadialGradient(r, r, 0, r, r, r);
  gradient.addColorStop(0, inner);
  gradient.addColorStop(0.25, outer);
  gradient.addColorStop(1, 'rgba(0,0,0,0)');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, size, size);
  return sprite;
}

/** Draws frames onto one canvas. */
export class Renderer {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #orbGlow = glowSprite(128, 'rgba(255,246,210,1)', 'rgba(255,190,60,0.5)');
  /** Recent drawn positions per player id, newest last: the motion trail. */
  readonly #trails = new Map<number, { x: number; y: number; at: number }[]>();
  readonly #present = new Set<number>();
  #view: View = { scale: 1, left: 0, top: 0 };
  #dpr = 1;
  #hud: readonly Box[] = [];
  #placedFor = '';

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d', { alpha: false })!;
  }

  /** The HUD's boxes moved or changed size: place the field around them from the next frame. */
  avoid(boxes: readonly Box[]): void {
    this.#hud = boxes;
    this.#placedFor = '';
  }

  /** Draw one frame at local time `now` (ms, for the pulsing). */
  draw(frame: Frame, now: number, joystick: Joystick | undefined): void {
    this.#fit();
    const ctx = this.#ctx;
    const { scale, left, top } = this.#view;
    const dpr = this.#dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.#background();
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * left, dpr * top);
    this.#field();
    this.#orbs(frame.orbs, now);
    this.#trail(frame.players, now);
    if (frame.serverGhost) this.#ghost(frame.serverGhost);
    // The local player last, so it is never hidden under another.
    for (const player of frame.players) if (!player.local) this.#player(player, now);
    for (const player of frame.players) if (player.local) this.#player(player, now);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (joystick) this.#joystick(joystick);
  }

  /** Match the backing store to the element's size and the pixel ratio, and place the world. */
  #fit(): void {
    const canvas = this.#canvas;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    this.#dpr = dpr;
    const key = `${width}x${height}`;
    if (key === this.#placedFor) return;
    this.#placedFor = key;
    const margin = Math.min(MARGIN, width / 40);
    this.#view = placeField(width, height, WORLD, margin, this.#hud);
    const { scale, left, top } = this.#view;
    canvas.dataset.field = [left, top, WORLD.width * scale, WORLD.height * scale]
      .map((n) => n.toFixed(1))
      .join(',');
  }

  #background(): void {
    const ctx = this.#ctx;
    const width = this.#canvas.clientWidth;
    const height = this.#canvas.clientHeight;
    const gradient = ctx.createRadialGradient(
      width / 2,
      height / 2,
      0,
      width / 2,
      height / 2,
      Math.hypot(width, height) / 2,
    );
    gradient.addColorStop(0, '#0d1428');
    gradient.addColorStop(1, '#04060c');
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, width, height);
  }

  #field(): void {
    const ctx = this.#ctx;
    const { width, height } = WORLD;
    const px = 1 / this.#view.scale; // one CSS pixel in world units
    ctx.fillStyle = '#0a1020';
    ctx.fillRect(0, 0, width, height);
    ctx.lineWidth = px;
    for (const major of [false, true]) {
      ctx.beginPath();
      for (let i = 1; i * GRID < width; i++) {
        if ((i % MAJOR_EVERY === 0) !== major) continue;
        ctx.moveTo(i * GRID, 0);
        ctx.lineTo(i * GRID, height);
      }
      for (let i = 1; i * GRID < height; i++) {
        if ((i % MAJOR_EVERY === 0) !== major) continue;
        ctx.moveTo(0, i * GRID);
        ctx.lineTo(width, i * GRID);
      }
      ctx.strokeStyle = major ? 'rgba(110,140,255,0.13)' : 'rgba(110,140,255,0.055)';
      ctx.stroke();
    }
    ctx.save();
    ctx.shadowColor = 'rgba(90,130,255,0.8)';
    ctx.shadowBlur = 18 * this.#dpr; // shadows ignore the transform: device pixels
    ctx.strokeStyle = 'rgba(120,160,255,0.7)';
    ctx.lineWidth = 2 * px;
    ctx.strokeRect(0, 0, width, height);
    ctx.restore();
  }

  #orbs(orbs: Frame['orbs'], now: number): void {
    const ctx = this.#ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'lighter';
    for (let i = 0; i < orbs.length; i++) {
      const orb = orbs[i]!;
      // Each orb breathes on its own phase, so the field shimmers instead of blinking in step.
      const pulse = 1 + 0.18 * Math.sin(now / 320 + i * 1.7);
      const glow = ORB_RADIUS * 4.2 * pulse;
      ctx.drawImage(this.#orbGlow, orb.x - glow, orb.y - glow, glow * 2, glow * 2);
    }
    ctx.fillStyle = '#fff6d8';
    ctx.beginPath();
    for (const orb of orbs) {
      ctx.moveTo(orb.x + ORB_RADIUS * 0.6, orb.y);
      ctx.arc(orb.x, orb.y, ORB_RADIUS * 0.6, 0, Math.PI * 2);
    }
    ctx.fill();
    ctx.restore();
  }

  /** A fading tail behind each player: smooth with interpolation on, visibly stepped with it off. */
  #trail(players: readonly PlayerView[], now: number): void {
    const ctx = this.#ctx;
    const trails = this.#trails;
    const present = this.#present;
    present.clear();
    ctx.save();
    ctx.lineCap = 'round';
    for (const { id, x, y, hue } of players) {
      present.add(id);
      let points = trails.get(id);
      if (!points) {
        points = [];
        trails.set(id, points);
      }
      points.push({ x, y, at: now });
      while (points.length > 0 && points[0]!.at < now - TRAIL_MS) points.shift();
      for (let i = 1; i < points.length; i++) {
        const a = points[i - 1]!;
        const b = points[i]!;
        if (a.x === b.x && a.y === b.y) continue; // standing still: no dot
        const share = 1 - (now - b.at) / TRAIL_MS;
        ctx.strokeStyle = `hsla(${hue}, 100%, 65%, ${0.3 * share})`;
        ctx.lineWidth = PLAYER_RADIUS * 1.4 * share;
        ctx.beginPath();
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(b.x, b.y);
        ctx.stroke();
      }
    }
    ctx.restore();
    for (const id of trails.keys()) if (!present.has(id)) trails.delete(id);
  }

  /** Where the server has the local player: the distance to the disc is the prediction's lead. */
  #ghost(at: { x: number; y: number }): void {
    const ctx = this.#ctx;
    ctx.save();
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1.5 / this.#view.scale;
    ctx.strokeStyle = 'rgba(255,255,255,0.35)';
    ctx.beginPath();
    ctx.arc(at.x, at.y, PLAYER_RADIUS, 0, Math.PI * 2);
    ctx.stroke();
    ctx.restore();
  }

  #player(player: PlayerView, now: number): void {
    const ctx = this.#ctx;
    const { x, y, hue } = player;
    const px = 1 / this.#view.scale;
    ctx.save();
    if (player.local) {
      const pulse = 0.5 + 0.5 * Math.sin(now / 400);
      ctx.fillStyle = `hsla(${hue}, 100%, 70%, ${0.1 + 0.08 * pulse})`;
      ctx.beginPath();
      ctx.arc(x, y, PLAYER_RADIUS * (1.9 + 0.15 * pulse), 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.shadowColor = `hsla(${hue}, 100%, 60%, 0.75)`;
    ctx.shadowBlur = 14 * this.#dpr;
    const body = ctx.createRadialGradient(
      x - PLAYER_RADIUS * 0.35,
      y - PLAYER_RADIUS * 0.4,
      PLAYER_RADIUS * 0.1,
      x,
      y,
      PLAYER_RADIUS,
    );
    body.addColorStop(0, `hsl(${hue}, 95%, 78%)`);
    body.addColorStop(1, `hsl(${hue}, 75%, 46%)`);
    ctx.fillStyle = body;
    ctx.beginPath();
    ctx.arc(x, y, PLAYER_RADIUS, 0, Math.PI * 2);
    ctx.fill();
    ctx.shadowBlur = 0;
    ctx.lineWidth = (player.local ? 2.5 : 1.5) * px;
    ctx.strokeStyle = player.local ? '#ffffff' : `hsla(${hue}, 100%, 85%, 0.6)`;
    ctx.stroke();
    this.#label(player, px);
    ctx.restore();
  }

  /**
   * The name above the disc and the score on it, at a near-constant screen size: names shrink a
   * little on a small field (a phone) so they do not bury it, and the score shows only where the
   * disc is big enough to hold it.
   */
  #label(player: PlayerView, px: number): void {
    const ctx = this.#ctx;
    const { x, y } = player;
    const scale = this.#view.scale;
    const size = Math.max(9, Math.min(12.5, 22 * scale)) * px;
    ctx.textAlign = 'center';
    ctx.font = `${player.local ? 700 : 600} ${size}px ${FONT}`;
    ctx.textBaseline = 'bottom';
    ctx.fillStyle = 'rgba(0,0,0,0.55)';
    const name = player.local ? `${player.name} (you)` : player.name;
    const nameY = y - PLAYER_RADIUS - 5 * px;
    ctx.fillText(name, x, nameY + px);
    ctx.fillStyle = player.local ? '#ffffff' : 'rgba(226,232,255,0.9)';
    ctx.fillText(name, x, nameY);
    if (PLAYER_RADIUS * scale < 9) return;
    ctx.font = `700 ${11 * px}px ${FONT}`;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = 'rgba(8,10,20,0.8)';
    ctx.fillText(String(player.score), x, y + 0.5 * px);
  }

  #joystick(stick: Joystick): void {
    const ctx = this.#ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(255,255,255,0.06)';
    ctx.strokeStyle = 'rgba(255,255,255,0.22)';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(stick.baseX, stick.baseY, stick.radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = 'rgba(255,255,255,0.35)';
    ctx.beginPath();
    ctx.arc(stick.knobX, stick.knobY, stick.radius * 0.42, 0, Math.PI * 2);
    ctx.fill();
    ctx.restore();
  }
}
