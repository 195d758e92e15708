package dev.postern.server;

import dev.postern.LineEndingPolicy;
import dev.postern.Listener;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;

/**
 * Picocli converters for the option types of {@code postern serve}. They throw
 * {@link TypeConversionException} so that picocli shows the parser's own one-line message.
 */
final class ValueConverters {

    private ValueConverters() {
    }

    static final class ListenerConverter implements ITypeConverter<Listener> {
        @Override
        public Listener convert(String value) {
            try {
                return Listener.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ByteSizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationText.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LineEndingsConverter implements ITypeConverter<LineEndingPolicy> {
        @Override
        public LineEndingPolicy convert(String value) {
            try {
                return LineEndingPolicy.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of strict, normalize, leave");
            }
        }
    }
}
