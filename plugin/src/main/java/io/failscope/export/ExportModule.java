package io.failscope.export;

import com.google.inject.AbstractModule;
import io.failscope.rpc.RpcModule;
import io.failscope.transport.http.HttpModule;

/** Export of the records as CSV or JSON lines: over HTTP ({@code /export.csv}, {@code /export.jsonl}) and to a file ({@code exporthtlcfailures}). */
public final class ExportModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        RpcModule.bind(binder(), ExportHtlcFailures.INFO, ExportHtlcFailures.class);
        HttpModule.pages(binder()).addBinding().to(ExportPage.Csv.class);
        HttpModule.pages(binder()).addBinding().to(ExportPage.JsonLines.class);
    }
}
