/**
 * Buffers kept for the next frame instead of fresh ones: a fresh 1 MiB buffer is 256 page faults on
 * first touch, which on this project's VMs (a fault traps to the hypervisor) cost a stream's ends
 * more CPU per GB than TLS (perf, bench:ship and bench:replicate, 2026-12-05). A buffer is given
 * back once nothing reads or writes it any more (the socket or the file write is done with it).
 */
export class BufferPool {
  private readonly spare: Buffer[] = [];

  constructor(private readonly max = 16) {}

  /** A buffer of at least `size` bytes (not much more: a kept one is reused only below twice that). */
  take(size: number): Buffer {
    for (let i = this.spare.length - 1; i >= 0; i--) {
      const b = this.spare[i]!;
      if (b.length >= size && b.length < 2 * size + 65536) return this.spare.splice(i, 1)[0]!;
    }
    return Buffer.allocUnsafeSlow(size);
  }

  /** Gives back a buffer from take (a view is not: pass the buffer take returned). */
  give(b: Buffer): void {
    if (this.spare.length < this.max) this.spare.push(b);
  }
}
