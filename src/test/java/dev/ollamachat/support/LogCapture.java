package dev.ollamachat.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The log records of one logger (and its children), kept while started, with a bounded wait for one of them. */
public final class LogCapture {

    private final String loggerName;
    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogCapture(String loggerName) {
        this.loggerName = loggerName;
    }

    public void start() {
        records.clear();
        Logger.getLogger(loggerName).addHandler(handler);
    }

    public void stop() {
        Logger.getLogger(loggerName).removeHandler(handler);
    }

    /** Records of exactly this level, in order. */
    public List<LogRecord> records(Level level) {
        synchronized (records) {
            return records.stream().filter(record -> record.getLevel().equals(level)).toList();
        }
    }

    /** Records of this level or more severe (ERROR is SEVERE's value under another name), as "level: message". */
    public List<String> atLeast(Level level) {
        synchronized (records) {
            return records.stream().filter(record -> record.getLevel().intValue() >= level.intValue())
                    .map(record -> record.getLevel() + " " + record.getLoggerName() + ": " + message(record)).toList();
        }
    }

    /** Waits (at most 30 s) for a record of this level whose formatted message contains {@code text}. */
    public LogRecord await(Level level, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (LogRecord record : records(level)) {
                if (message(record).contains(text)) {
                    return record;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + level + " record containing '" + text + "' within 30 s; got "
                + records.stream().map(LogCapture::message).toList());
    }

    /** The message with its parameters filled in, as the console prints it. */
    public static String message(LogRecord record) {
        String message = String.valueOf(record.getMessage());
        Object[] parameters = record.getParameters();
        if (parameters == null || parameters.length == 0) {
            return message;
        }
        return message.contains("%") ? String.format(message, parameters)
                : java.text.MessageFormat.format(message, parameters);
    }
}
