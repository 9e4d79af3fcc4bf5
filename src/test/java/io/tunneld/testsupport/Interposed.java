package io.tunneld.testsupport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import io.vertx.core.net.impl.NetSocketInternal;

/**
 * A socket (or another object seen through an interface) that behaves as the real one except
 * where a test steps in around a call: to play an interleaving of two threads exactly (a drain
 * inside a check, an answer during a write) instead of hoping the scheduler produces it.
 */
public final class Interposed {

    /** What runs in place of each call; {@code proceed} makes the real call. */
    @FunctionalInterface
    public interface Around {
        Object call(Method method, Object[] args, Proceed proceed) throws Throwable;
    }

    /** The real call, with the real socket's own exceptions. */
    @FunctionalInterface
    public interface Proceed {
        Object call() throws Throwable;
    }

    private Interposed() {
    }

    /** {@code real}, with every call going through {@code around}; calls that return {@code real} return the wrapper. */
    public static NetSocketInternal netSocket(NetSocketInternal real, Around around) {
        return of(NetSocketInternal.class, real, around);
    }

    /** {@code real} seen through its interface {@code type}, every call going through {@code around}. */
    public static <T> T of(Class<T> type, T real, Around around) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method, args) -> {
            Object result = around.call(method, args, () -> {
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
            return result == real ? self : result;
        }));
    }
}
