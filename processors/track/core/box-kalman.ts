import type { NormalisedBox } from '../../../schemas/vision.ts';

/** A box as centre and size, the quantities the filter tracks (normalised image units). */
export interface BoxCentre {
  cx: number;
  cy: number;
  w: number;
  h: number;
}

/** Change of each quantity per second. */
export type BoxVelocity = BoxCentre;

const axes = ['cx', 'cy', 'w', 'h'] as const;

export const centreOf = (b: NormalisedBox): BoxCentre => ({ cx: (b.x1 + b.x2) / 2, cy: (b.y1 + b.y2) / 2, w: b.x2 - b.x1, h: b.y2 - b.y1 });

export const boxOf = (c: BoxCentre): NormalisedBox => ({ x1: c.cx - c.w / 2, y1: c.cy - c.h / 2, x2: c.cx + c.w / 2, y2: c.cy + c.h / 2 });

/** Where a box moving at this velocity is `dt` seconds later (the linker's constant-velocity guess). */
export function extrapolate(box: NormalisedBox, velocity: BoxVelocity, dt: number): NormalisedBox {
  const c = centreOf(box);
  return boxOf({
    cx: c.cx + velocity.cx * dt,
    cy: c.cy + velocity.cy * dt,
    w: Math.max(1e-6, c.w + velocity.w * dt),
    h: Math.max(1e-6, c.h + velocity.h * dt),
  });
}

/** One axis of the filter: position and velocity with their 2×2 covariance [p00, p01, p11]. */
interface Axis {
  x: number;
  v: number;
  p00: number;
  p01: number;
  p11: number;
}

/**
 * A constant-velocity Kalman filter over a box's centre and size, as SORT uses, with the four
 * quantities filtered independently (their cross-covariances are zero in SORT's model too) and
 * noise scaled by the box height as in ByteTrack/DeepSORT, so small far players and large near ones
 * are treated alike. Time is in seconds, so the sampling rate may change between videos.
 */
export class BoxKalman {
  #axes: Record<(typeof axes)[number], Axis>;
  #t: number;

  constructor(box: NormalisedBox, t: number) {
    const c = centreOf(box);
    const pos = (0.1 * c.h) ** 2;
    const vel = (1.0 * c.h) ** 2;
    this.#axes = {
      cx: { x: c.cx, v: 0, p00: pos, p01: 0, p11: vel },
      cy: { x: c.cy, v: 0, p00: pos, p01: 0, p11: vel },
      w: { x: c.w, v: 0, p00: pos, p01: 0, p11: vel },
      h: { x: c.h, v: 0, p00: pos, p01: 0, p11: vel },
    };
    this.#t = t;
  }

  /** Advances the state to time `t` (seconds) without a measurement. */
  predict(t: number): void {
    const dt = Math.max(0, t - this.#t);
    this.#t = t;
    if (dt === 0) return;
    // White-noise acceleration, its strength relative to the box height (people move ~1 height/s²).
    const q = (0.5 * this.#axes.h.x) ** 2;
    for (const name of axes) {
      const a = this.#axes[name];
      a.x += a.v * dt;
      const p00 = a.p00 + 2 * dt * a.p01 + dt * dt * a.p11 + (q * dt ** 3) / 3;
      const p01 = a.p01 + dt * a.p11 + (q * dt ** 2) / 2;
      const p11 = a.p11 + q * dt;
      Object.assign(a, { p00, p01, p11 });
    }
    if (this.#axes.w.x < 1e-6) this.#axes.w.x = 1e-6;
    if (this.#axes.h.x < 1e-6) this.#axes.h.x = 1e-6;
  }

  /** Folds in a measured box at time `t`. */
  update(box: NormalisedBox, t: number): void {
    this.predict(t);
    const c = centreOf(box);
    const r = (0.05 * c.h) ** 2;
    for (const name of axes) {
      const a = this.#axes[name];
      const s = a.p00 + r;
      const k0 = a.p00 / s;
      const k1 = a.p01 / s;
      const innovation = c[name] - a.x;
      a.x += k0 * innovation;
      a.v += k1 * innovation;
      const p00 = (1 - k0) * a.p00;
      const p01 = (1 - k0) * a.p01;
      const p11 = a.p11 - k1 * a.p01;
      Object.assign(a, { p00, p01, p11 });
    }
  }

  /** Stops the size changing: ByteTrack does so for a track not seen in the last frame, as a box shrinking behind an occluder would otherwise keep shrinking. */
  holdSize(): void {
    this.#axes.w.v = 0;
    this.#axes.h.v = 0;
  }

  box(): NormalisedBox {
    return boxOf({ cx: this.#axes.cx.x, cy: this.#axes.cy.x, w: this.#axes.w.x, h: this.#axes.h.x });
  }

  velocity(): BoxVelocity {
    return { cx: this.#axes.cx.v, cy: this.#axes.cy.v, w: this.#axes.w.v, h: this.#axes.h.v };
  }
}
