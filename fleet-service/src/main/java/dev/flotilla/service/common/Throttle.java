package dev.flotilla.service.common;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * Counts events per key in a sliding window, in this replica's memory: failed sign-ins per user
 * name and per address (to slow down password guessing), and refusals written to the audit log
 * per address (so that a flood of bad credentials cannot grow the append-only log without bound).
 */
@ApplicationScoped
public class Throttle {
    private final Map<String, Deque<Long>> events = new ConcurrentHashMap<>();

    /** How many events {@code key} had within {@code window}. */
    public int count(String key, Duration window) {
        Deque<Long> times = events.get(key);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            prune(times, window);
            return times.size();
        }
    }

    /** Notes an event (keeping at most {@code cap} of them per key). */
    public void note(String key, int cap) {
        Deque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(System.nanoTime());
            while (times.size() > cap) {
                times.removeFirst();
            }
        }
    }

    /** Notes an event and says whether it is within {@code max} per {@code window}. */
    public boolean allow(String key, int max, Duration window) {
        if (count(key, window) >= max) {
            return false;
        }
        note(key, max);
        return true;
    }

    public void clear(String key) {
        events.remove(key);
    }

    private static void prune(Deque<Long> times, Duration window) {
        long oldest = System.nanoTime() - window.toNanos();
        while (!times.isEmpty() && times.peekFirst() < oldest) {
            times.removeFirst();
        }
    }

    @Scheduled(every = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        events.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                prune(e.getValue(), Duration.ofHours(1));
                return e.getValue().isEmpty();
            }
        });
    }
}
