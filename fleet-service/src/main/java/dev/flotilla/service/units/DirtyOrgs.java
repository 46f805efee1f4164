package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The organizations the scheduler's leader must reconcile, and when: pure bookkeeping (times are
 * {@link System#nanoTime()} values passed in), tested without a database. An organization is
 * marked when something its placements or rollouts read changed; it is due again later while a
 * rollout of it waits on time; it is deferred while its share of placement time is used up. Marks
 * of one organization fold into one entry, so it is reconciled once however often it changed.
 */
final class DirtyOrgs {
    /** When an organization may be reconciled: at {@code due}, but not before {@code notBefore} if deferred. */
    private static final class Entry {
        long due;
        boolean deferred;
        long notBefore;

        Entry(long due) {
            this.due = due;
        }

        long ready() {
            return deferred ? later(due, notBefore) : due;
        }
    }

    /** Of two {@link System#nanoTime()} values, the later (compared by difference, as nanoTime wants). */
    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }

    private final Map<UUID, Entry> orgs = new HashMap<>();
    private boolean fullPass;

    /** Something of {@code org} changed at {@code now}: reconcile it at the next drain (or when its deferral ends). */
    synchronized void mark(UUID org, long now) {
        dueAt(org, now);
    }

    /** Reconcile {@code org} at {@code at} at the latest (a rollout waiting on time), earlier if marked. */
    synchronized void dueAt(UUID org, long at) {
        Entry e = orgs.get(org);
        if (e == null) {
            orgs.put(org, new Entry(at));
        } else if (e.due - at > 0) {
            e.due = at;
        }
    }

    /**
     * {@code org} could not be reconciled (its share is used up, or it failed): it stays marked and
     * is not drained before {@code until}, however often it is marked meanwhile.
     */
    synchronized void defer(UUID org, long until) {
        Entry e = orgs.computeIfAbsent(org, o -> new Entry(until));
        e.notBefore = e.deferred ? later(e.notBefore, until) : until;
        e.deferred = true;
    }

    /** The organizations ready at {@code now}, longest waiting first; they are no longer marked. */
    synchronized List<UUID> drain(long now) {
        List<Map.Entry<UUID, Entry>> ready = new ArrayList<>();
        for (Iterator<Map.Entry<UUID, Entry>> it = orgs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<UUID, Entry> e = it.next();
            if (e.getValue().ready() - now <= 0) {
                ready.add(Map.entry(e.getKey(), e.getValue()));
                it.remove();
            }
        }
        ready.sort(Comparator.comparingLong(e -> e.getValue().ready() - now));
        return ready.stream().map(Map.Entry::getKey).toList();
    }

    /** How many organizations are marked (ready or not). */
    synchronized int size() {
        return orgs.size();
    }

    /** Marks may have been missed (the LISTEN connection was lost, leadership changed): pass over every organization. */
    synchronized void requestFullPass() {
        fullPass = true;
    }

    /** Whether a full pass was asked for since the last call. */
    synchronized boolean takeFullPass() {
        boolean asked = fullPass;
        fullPass = false;
        return asked;
    }

    /** Forgets every mark (this replica stopped leading: the next leader passes over everything anyway). */
    synchronized void clear() {
        orgs.clear();
    }
}
