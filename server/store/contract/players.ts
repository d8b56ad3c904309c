import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { expectStoreError, type StoreFactory, useStore } from './harness.ts';

/** Guest accounts: create, get, rename. */
export function describePlayers(factory: StoreFactory): void {
  describe('players', () => {
    const ctx = useStore(factory);

    test('a guest gets a fresh id, its name and the clock time, and reads back the same', async () => {
      const player = await ctx.store.players.createGuest('Ada');
      expect(player).toEqual({ id: expect.any(String), name: 'Ada', createdAt: ctx.clock.ms });
      expect(await ctx.store.players.get(player.id)).toEqual(player);
    });

    test('ids are unique and unguessable-length', async () => {
      const players = await Promise.all(
        Array.from({ length: 50 }, () => ctx.store.players.createGuest('same name')),
      );
      const ids = new Set(players.map((p) => p.id));
      expect(ids.size).toBe(50);
      for (const id of ids) expect(id.length).toBeGreaterThanOrEqual(16);
    });

    test('an unknown id reads as undefined', async () => {
      expect(await ctx.store.players.get('no-such-player')).toBeUndefined();
      expect(await ctx.store.players.rename('no-such-player', 'X')).toBeUndefined();
    });

    test('rename changes the name and keeps id and createdAt', async () => {
      const player = await ctx.store.players.createGuest('Ada');
      ctx.clock.tick(5_000);
      const renamed = await ctx.store.players.rename(player.id, 'Grace');
      expect(renamed).toEqual({ ...player, name: 'Grace' });
      expect(await ctx.store.players.get(player.id)).toEqual(renamed);
    });

    test('a bad id or name is refused naming the argument it was given as', async () => {
      const player = await ctx.store.players.createGuest('Ada');
      const refused = (argument: string) => ({ code: 'invalid_argument', argument });
      await expect(ctx.store.players.createGuest('')).rejects.toMatchObject(refused('name'));
      await expect(ctx.store.players.get('')).rejects.toMatchObject(refused('id'));
      await expect(ctx.store.players.rename('', 'Grace')).rejects.toMatchObject(refused('id'));
      await expect(ctx.store.players.rename(player.id, '')).rejects.toMatchObject(refused('name'));
    });

    test('names are 1 to 64 characters, unicode kept as given', async () => {
      await expectStoreError(ctx.store.players.createGuest(''), InvalidArgumentError, 'invalid_argument');
      await expectStoreError(
        ctx.store.players.createGuest('x'.repeat(65)),
        InvalidArgumentError,
        'invalid_argument',
      );
      const player = await ctx.store.players.createGuest('Zoë 🎮');
      expect((await ctx.store.players.get(player.id))?.name).toBe('Zoë 🎮');
      await expectStoreError(
        ctx.store.players.rename(player.id, ''),
        InvalidArgumentError,
        'invalid_argument',
      );
    });

    test('find by name: a case-insensitive prefix, exact matches first, then by name and id', async () => {
      const ada = await ctx.store.players.createGuest('Ada');
      const adaToo = await ctx.store.players.createGuest('ada');
      const lovelace = await ctx.store.players.createGuest('ADA Lovelace');
      await ctx.store.players.createGuest('Grace');
      await ctx.store.players.createGuest('Bada');
      const found = await ctx.store.players.findByName('aDa');
      const twins = [ada, adaToo].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(found).toEqual([...twins, lovelace]);
      expect(await ctx.store.players.findByName('ada l')).toEqual([lovelace]);
      expect(await ctx.store.players.findByName('zed')).toEqual([]);
      const zoe = await ctx.store.players.createGuest('ZOË 🎮');
      expect(await ctx.store.players.findByName('zoë')).toEqual([zoe]);
    });

    test('find by name follows a rename, and the old name no longer finds the player', async () => {
      const player = await ctx.store.players.createGuest('Ada');
      await ctx.store.players.rename(player.id, 'Grace');
      expect(await ctx.store.players.findByName('ada')).toEqual([]);
      expect(await ctx.store.players.findByName('grace')).toEqual([{ ...player, name: 'Grace' }]);
      await ctx.store.players.rename(player.id, 'Ada');
      expect(await ctx.store.players.findByName('grace')).toEqual([]);
      expect(await ctx.store.players.findByName('ada')).toEqual([player]);
      expect(await ctx.store.players.findByName('a')).toEqual([player]);
    });

    test('find by name is bounded: 20 by default, at most 20, a non-empty name of at most 64', async () => {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => ctx.store.players.createGuest(`bot ${100 + i}`)),
      );
      const first = await ctx.store.players.findByName('BOT');
      expect(first.map((p) => p.name)).toEqual(Array.from({ length: 20 }, (_, i) => `bot ${100 + i}`));
      expect(await ctx.store.players.findByName('bot', 3)).toEqual(first.slice(0, 3));
      await expectStoreError(
        ctx.store.players.findByName('bot', 21),
        InvalidArgumentError,
        'invalid_argument',
      );
      await expectStoreError(
        ctx.store.players.findByName('bot', 0),
        InvalidArgumentError,
        'invalid_argument',
      );
      await expectStoreError(ctx.store.players.findByName(''), InvalidArgumentError, 'invalid_argument');
      await expectStoreError(
        ctx.store.players.findByName('x'.repeat(65)),
        InvalidArgumentError,
        'invalid_argument',
      );
    });
  });
}
