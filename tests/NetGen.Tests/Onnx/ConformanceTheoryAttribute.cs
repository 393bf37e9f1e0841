using System.Collections.Generic;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NetGen.Tests.Onnx;

/// <summary>
/// A theory over ONNX node tests whose rows are skipped, each with its own reason, when the
/// importer rejects the test's model: xUnit 2 skips only whole data attributes, so the
/// discoverer decides per row.
/// </summary>
[XunitTestCaseDiscoverer("NetGen.Tests.Onnx.ConformanceTheoryDiscoverer", "NetGen.Tests")]
[System.AttributeUsage(System.AttributeTargets.Method)]
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
}

/// <summary>Discovers <see cref="ConformanceTheoryAttribute"/> rows; the arguments of a row are the suite and the test's name.</summary>
public sealed class ConformanceTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow)
    {
        string? reason = Conformance.Named((string)dataRow[0]).Case((string)dataRow[1]).SkipReason;
        return reason is null
            ? base.CreateTestCasesForDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow)
            : CreateTestCasesForSkippedDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, "not supported: " + reason);
    }
}
