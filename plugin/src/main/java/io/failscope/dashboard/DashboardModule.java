package io.failscope.dashboard;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.failscope.transport.http.HttpModule;
import io.failscope.transport.http.HttpPage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The dashboard at {@code GET /} of the HTTP endpoint: one page and its script, served from the
 * plugin's jar with the chart library from its webjar (works offline, no CDN). The page calls
 * {@code POST /rpc} like any client, with the bearer token when one is configured.
 */
public final class DashboardModule
        extends AbstractModule
{
    private static final String OWN = "/io/failscope/dashboard/";
    private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

    @Override
    protected void configure()
    {
        String uplot = "/META-INF/resources/webjars/uplot/" + webjarVersion() + "/dist/";
        Multibinder<HttpPage> pages = HttpModule.pages(binder());
        pages.addBinding().toInstance(new StaticPage("/", OWN + "index.html", "text/html; charset=utf-8"));
        pages.addBinding().toInstance(new StaticPage("/dashboard.js", OWN + "dashboard.js", "text/javascript; charset=utf-8"));
        pages.addBinding().toInstance(new StaticPage("/dashboard.css", OWN + "dashboard.css", "text/css; charset=utf-8"));
        pages.addBinding().toInstance(new StaticPage("/uplot.js", uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"));
        pages.addBinding().toInstance(new StaticPage("/uplot.css", uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    /** The version of uPlot's webjar on the classpath (pinned in the parent pom), which names its folder. */
    private static String webjarVersion()
    {
        Properties properties = new Properties();
        try (InputStream in = DashboardModule.class.getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("the chart library's webjar is missing from the plugin's jar (" + WEBJAR_PROPERTIES + ")");
            }
            properties.load(in);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + WEBJAR_PROPERTIES, e);
        }
        return properties.getProperty("version");
    }
}
