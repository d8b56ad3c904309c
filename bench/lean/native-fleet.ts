/**
 * The players run by the C generator (bench/lean/generator.c) in a child process, driven over its
 * stdin and stdout: one `connect` line per player, `mark` for the counters. The child inherits this
 * process's CPU pinning; its CPU time is the generator's, so bench/game.ts counts it with ours.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MessageType } from '../../shared/protocol/codes.ts';
import type { Fleet, FleetMark } from './fleet.ts';
import type { AckMode } from './raw-client.ts';

interface NativeMark {
  states: number;
  messages: number;
  bytes: number;
  inputs: number;
  skipped: number;
  open: number;
  cpuMs: number;
  ackSamples: number;
  ackP50Us: number;
  ackP99Us: number;
  ackMaxUs: number;
  closed: Record<string, number>;
}

export class NativeFleet implements Fleet {
  readonly #child: ChildProcess;
  readonly #joining = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #marks: { resolve: (mark: NativeMark) => void; reject: (error: Error) => void }[] = [];
  readonly #acks: { resolve: (acks: number[]) => void; reject: (error: Error) => void }[] = [];
  #nextId = 0;
  #exited: Error | undefined;

  readonly #protocol: string;

  constructor(
    binary: string,
    protocol: string,
    frames: readonly Buffer[],
    ackMode: AckMode,
    inputRate: number,
    seed: number,
  ) {
    this.#protocol = protocol;
    const codes = [
      MessageType.INPUT,
      MessageType.WELCOME,
      MessageType.SNAPSHOT,
      MessageType.DELTA,
      MessageType.ROOM_DELTA,
    ].join(',');
    const args = [ackMode, String(inputRate), String(seed), codes, ...frames.map((f) => f.toString('hex'))];
    this.#child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.#line(line));
    // A write after the child died fails with EPIPE: the exit below reports it.
    this.#child.stdin!.on('error', () => undefined);
    // 'close', not 'exit': an answer still in the stdout pipe is read first.
    this.#child.once('close', (code, signal) => {
      const exited = new Error(`lean-generator exited (${signal ?? code})`);
      this.#exited = exited;
      // Everything still waiting for an answer: the generator will not give one.
      for (const { reject } of [...this.#joining.values(), ...this.#marks, ...this.#acks]) reject(exited);
      this.#joining.clear();
      this.#marks.length = 0;
      this.#acks.length = 0;
    });
  }

  join(port: number, path: string): Promise<void> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#joining.set(id, { resolve, reject });
      this.#child.stdin!.write(`connect ${id} ${port} ${path} ${this.#protocol}\n`);
    });
  }

  mark(): Promise<FleetMark> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      const answer = (m: NativeMark) => {
        const ms = (us: number) => (m.ackSamples > 0 ? us / 1000 : null);
        resolve({
          states: m.states,
          messages: m.messages,
          bytes: m.bytes,
          inputs: m.inputs,
          inputsSkipped: m.skipped,
          open: m.open,
          ackSamples: m.ackSamples,
          ackP50Ms: ms(m.ackP50Us),
          ackP99Ms: ms(m.ackP99Us),
          ackMaxMs: ms(m.ackMaxUs),
          disconnects: m.closed,
          helperCpuMs: m.cpuMs,
        });
      };
      this.#marks.push({ resolve: answer, reject });
      this.#child.stdin!.write('mark\n');
    });
  }

  /** Send one input from the player joined `index`-th now (with an input rate of 0: no clock). */
  send(index: number): void {
    this.#child.stdin!.write(`send ${index}\n`);
  }

  /** Each player's highest acknowledged input seq, in join order. */
  ackSeqs(): Promise<number[]> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      this.#acks.push({ resolve, reject });
      this.#child.stdin!.write('acks\n');
    });
  }

  close(): void {
    this.#child.stdin!.end('quit\n');
  }

  #line(line: string): void {
    if (line.startsWith('{')) {
      this.#marks.shift()?.resolve(JSON.parse(line) as NativeMark);
      return;
    }
    if (line.startsWith('acks')) {
      this.#acks.shift()?.resolve(line.split(' ').slice(1).map(Number));
      return;
    }
    const [word, id, ...reason] = line.split(' ');
    const waiting = this.#joining.get(Number(id));
    if (!waiting) return;
    this.#joining.delete(Number(id));
    if (word === 'ready') waiting.resolve();
    else waiting.reject(new Error(reason.join(' ') || 'failed'));
  }
}
