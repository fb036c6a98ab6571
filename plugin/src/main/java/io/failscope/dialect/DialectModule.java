package io.failscope.dialect;

import com.google.inject.Binder;
import com.google.inject.Key;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.ServedOverHttp;

/**
 * How a node dialect registers what its node sends: each hook and each event once, by the name the node
 * uses. {@link NodeMessages} routes what is bound here, and Core Lightning's manifest lists it.
 */
public final class DialectModule
{
    /** The handler the HTTP endpoint serves: in each dialect, only what may come over HTTP. */
    public static final Key<MessageHandler> SERVED_OVER_HTTP = Key.get(MessageHandler.class, ServedOverHttp.class);

    private DialectModule() {}

    public static MapBinder<String, NodeHook> hooks(Binder binder)
    {
        return MapBinder.newMapBinder(binder, String.class, NodeHook.class);
    }

    public static MapBinder<String, NodeEvent> events(Binder binder)
    {
        return MapBinder.newMapBinder(binder, String.class, NodeEvent.class);
    }

    /** How a feature hears each hook's answer time (metrics); every dialect module declares it. */
    public static Multibinder<HookListener> hookListeners(Binder binder)
    {
        return Multibinder.newSetBinder(binder, HookListener.class);
    }
}
