using System;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>Options of <see cref="OnnxImporter.Import(ModelProto, OnnxImportOptions?)"/>.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>The model's name in messages and in the description's <c>description</c> (its file name, usually).</summary>
    public string SourceName { get; init; } = "model.onnx";

    /// <summary>The folder that tensors with external data are read from; null when there is none.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>
    /// Graph inputs to freeze as constants, by name: every input but the network's own. ONNX's
    /// node tests feed weights as inputs; a trained model keeps them in initializers instead.
    /// </summary>
    public IReadOnlyDictionary<string, TensorProto> FrozenInputs { get; init; } = new Dictionary<string, TensorProto>();

    /// <summary>
    /// The graph output to compute, by name; null when the graph computes one output (outputs
    /// that depend on no input, such as ML-Agents' <c>version_number</c>, are the description's
    /// constants and always kept). Only the nodes the output needs are read.
    /// </summary>
    public string? GraphOutput { get; init; }
}

/// <summary>
/// Converts an ONNX model to a <c>netgen/1</c> network description: a sequential network over
/// the last (feature) axis of the model's input, with skip connections closed by <c>Add</c>.
/// Several inputs joined by a <c>Concat</c> on the feature axis are one input of named parts;
/// graph outputs that depend on no input are named constants; of several computed outputs one
/// is chosen (<see cref="OnnxImportOptions.GraphOutput"/>). See <see cref="SupportedOps"/> for what is read.
/// </summary>
public static class OnnxImporter
{
    /// <summary>The ops and patterns the importer reads, in the words of its error messages.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } = new[]
    {
        "Gemm", "MatMul (constant weight, optional Add of a constant bias)", "Add (closing a skip connection, or of a constant)",
        "Sub, Mul, Div (by a constant, one value or one per feature)", "Neg",
        "Mul, Add, Sub of a mask input (x*m + c*(1-m), the mask read through Slice and arithmetic by constants)",
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "ArgMax (of the features; keepdims 0 only as the graph's output; select_last_index)", "Gelu", "Erf (in x*0.5*(1+Erf(x/sqrt(2))))",
        "Mul (in x*Sigmoid(x) and x*HardSigmoid(x))", "Elu", "Selu", "Softplus", "HardSigmoid", "HardSwish", "Mish", "Clip (constant bounds)", "LayerNormalization", "BatchNormalization", "Slice, Split (of the features, step 1)", "Identity", "Dropout", "Flatten", "Reshape, Squeeze, Unsqueeze (keeping the features)",
        "Shape, Gather (into a Reshape's shape)", "Concat (on the feature axis, of the graph's inputs or of branches of linear layers from one tensor)", "Constant",
        "Sqrt, Reciprocal, Cast (of constants, folded)",
    };

    /// <summary>Reads an ONNX file and converts it; the file's folder is where external tensor data is looked up.</summary>
    /// <exception cref="OnnxImportException">The file is missing, is not ONNX, or holds a model NetGen cannot express.</exception>
    public static string ImportFile(string path) => ImportFile(path, null);

    /// <summary>Reads an ONNX file and converts the subgraph of one of its outputs (null: the one output the inputs compute).</summary>
    /// <exception cref="OnnxImportException">The file is missing, is not ONNX, names no such output, or holds a model NetGen cannot express.</exception>
    public static string ImportFile(string path, string? graphOutput)
    {
        ModelProto model = ReadModel(path);
        return Import(model, new OnnxImportOptions { SourceName = Path.GetFileName(path), BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path)), GraphOutput = graphOutput });
    }

    /// <summary>Parses an ONNX file.</summary>
    /// <exception cref="OnnxImportException">The file is missing, unreadable, or not an ONNX model.</exception>
    public static ModelProto ReadModel(string path)
    {
        string name = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OnnxImportException($"{path}: cannot read the file: {e.Message}", e);
        }

        return ParseModel(bytes, name);
    }

    /// <summary>Parses ONNX bytes; <paramref name="sourceName"/> names them in messages.</summary>
    /// <exception cref="OnnxImportException">The bytes are not an ONNX model.</exception>
    public static ModelProto ParseModel(byte[] bytes, string sourceName)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxImportException($"{sourceName}: not an ONNX model ({e.Message})", e);
        }

        // Protobuf accepts many byte strings (an empty file is a valid empty message): a model
        // without a graph, or without nodes, is not something anyone meant to import.
        if (model.Graph is null || model.Graph.Node.Count == 0 && model.Graph.Input.Count == 0)
        {
            throw new OnnxImportException($"{sourceName}: not an ONNX model (no graph with nodes and inputs)");
        }

        return model;
    }

    /// <summary>Converts a parsed model to the text of a <c>netgen/1</c> description.</summary>
    /// <exception cref="OnnxImportException">The model holds an op or a graph shape NetGen cannot express.</exception>
    public static string Import(ModelProto model, OnnxImportOptions? options = null)
    {
        if (model is null)
        {
            throw new ArgumentNullException(nameof(model));
        }

        options ??= new OnnxImportOptions();
        var walk = new GraphWalker(model, options);
        return walk.Run();
    }
}
