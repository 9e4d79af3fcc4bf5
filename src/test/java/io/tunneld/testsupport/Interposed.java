package io.tunneld.testsupport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import io.vertx.core.net.impl.NetSocketInternal;

/**
 * A socket that behaves as a real one except where a test steps in around a call: to play
 * an interleaving of two event loops exactly (a drain inside a check, an answer during a
 * write) instead of hoping the scheduler produces it.
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
        return (NetSocketInternal) Proxy.newProxyInstance(NetSocketInternal.class.getClassLoader(),
                new Class<?>[] { NetSocketInternal.class }, (self, method, args) -> {
                    Object result = around.call(method, args, () -> {
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
                    return result == real ? self : result;
                });
    }
}
