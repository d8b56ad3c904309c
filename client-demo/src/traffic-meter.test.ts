import { describe, expect, it } from 'vitest';
import type { ClientStats } from '../../shared/client/index.ts';
import { TrafficMeter } from './traffic-meter.ts';

const stats = (bytesReceived: number): ClientStats => ({
  bytesReceived,
  messagesReceived: 0,
  statesReceived: 0,
  bytesSent: 0,
});

describe('TrafficMeter', () => {
  it('measures bytes per second over its window', () => {
    const meter = new TrafficMeter(2000);
    const s = stats(0);
    meter.sample(0, s);
    expect(meter.bytesPerSecond).toBe(0);
    s.bytesReceived = 1500;
    meter.sample(1000, s);
    expect(meter.bytesPerSecond).toBe(1500);
    s.bytesReceived = 1500 + 6000;
    meter.sample(3000, s); // the first sample fell out of the window
    expect(meter.bytesPerSecond).toBe(3000);
  });

  it('keeps counting across a reconnect, whose new connection starts its stats at zero', () => {
    const meter = new TrafficMeter(10_000);
    const first = stats(0);
    meter.sample(0, first);
    first.bytesReceived = 1000;
    meter.sample(1000, first);
    meter.sample(1500, undefined); // reconnecting: no connection
    const second = stats(1000);
    meter.sample(2000, second);
    expect(meter.bytesPerSecond).toBe(1000); // 2,000 bytes in 2 s, not a negative jump
  });
});
