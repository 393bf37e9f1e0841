using System;

namespace NetGen;

/// <summary>
/// Compiles the network described by a <c>*.netgen.json</c> file into members of the
/// attributed <c>static partial class</c>: <c>InputSize</c>, <c>OutputSize</c>,
/// <c>ParameterCount</c>, <c>Forward</c>, <c>ForwardBatch</c> and the <c>Cache</c> struct.
/// </summary>
/// <remarks>
/// The file must be an <c>AdditionalFiles</c> item of the project. <paramref name="path"/>
/// is matched against the end of each item's full path at a folder boundary, with either
/// slash: <c>"models/mnist.netgen.json"</c> binds <c>C:\src\app\models\mnist.netgen.json</c>.
/// Exactly one item must match.
/// </remarks>
/// <param name="path">The description's path, relative to the project (a unique suffix is enough).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute(string path) : Attribute
{
    /// <summary>The description's path as written in the attribute.</summary>
    public string Path { get; } = path;
}
