using System;

namespace NetGen.Onnx;

/// <summary>
/// An ONNX model that NetGen cannot import: not ONNX, an unsupported op, a graph shape
/// NetGen networks cannot express. <see cref="Exception.Message"/> is one line that names
/// the model and, where there is one, the node.
/// </summary>
public sealed class OnnxImportException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public OnnxImportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and the error beneath it.</summary>
    public OnnxImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public OnnxImportException()
        : base("The ONNX model cannot be imported.")
    {
    }

    /// <summary>The node the error is about (its name, or its op and index when it has none); null for the model as a whole.</summary>
    public string? Node { get; init; }
}
