using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Configuration;
using Orleans.Serialization.WireProtocol;

[assembly: TypeManifestProvider(typeof(Households.Contracts.ImmutableArraysStoredAsArrays))]

namespace Households.Contracts;

/// <summary>The records' collections are <see cref="ImmutableArray{T}"/> since issue #19; before, they were arrays.</summary>
public static class ImmutableArrays
{
    /// <summary>The array, or an empty one for <c>default</c> (a record read from a payload or JSON that lacks the member):
    /// the records' getters answer this, so no caller enumerates a default array.</summary>
    public static ImmutableArray<T> OrEmpty<T>(this ImmutableArray<T> items) => items.IsDefault ? [] : items;
}

/// <summary>Writes and reads an <see cref="ImmutableArray{T}"/> in the wire format of <c>T[]</c>, so grain state stored when
/// the records carried arrays reads back, and state written now reads with the arrays' codec too (a rollback). Orleans' own
/// codec writes a surrogate that an array payload does not match. A null array reads as an empty one.</summary>
[RegisterSerializer]
public sealed class ArrayFormatImmutableArrayCodec<T>(IFieldCodec<T[]> arrays, IFieldCodec<T> items) : IFieldCodec<ImmutableArray<T>>
{
    private static readonly Type DeclaredType = typeof(ImmutableArray<T>);
    private static readonly Type ItemType = typeof(T);

    /// <inheritdoc/>
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, ImmutableArray<T> value)
        where TBufferWriter : IBufferWriter<byte>
    {
        // The wrapped array itself, no copy; a default writes as a null array.
        var array = ImmutableCollectionsMarshal.AsArray(value);
        if (array is null)
        {
            ReferenceCodec.WriteNullReference(ref writer, fieldIdDelta);
            return;
        }
        // Written whole each time, never as a reference to an array written before (two records may share one, the empty
        // one above all): a reference inside ImmutableArray<T>? does not read, as Orleans' codec for Nullable<T> takes a
        // reference for null. The reference id is taken as the arrays' codec takes it, so the reader's numbering matches.
        ReferenceCodec.MarkValueField(writer.Session);
        // As a field of its own type the header names no type, as an array field's did; behind object it names this one.
        writer.WriteFieldHeader(fieldIdDelta, expectedType, DeclaredType, WireType.TagDelimited);
        // As the arrays' codec writes it: the length, left out for an empty array, then the items.
        if (array.Length > 0) UInt32Codec.WriteField(ref writer, 0, (uint)array.Length);
        uint delta = 1;
        foreach (var item in array)
        {
            items.WriteField(ref writer, delta, ItemType, item);
            delta = 0;
        }
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public ImmutableArray<T> ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        ImmutableCollectionsMarshal.AsImmutableArray(arrays.ReadValue(ref reader, field) ?? []);
}

/// <summary>Puts <see cref="ArrayFormatImmutableArrayCodec{T}"/> in place of Orleans' <see cref="ImmutableArrayCodec{T}"/> in
/// every serializer that loads this assembly (silo, client, <c>BooksLoader.StateSerializer</c>, tests). Orleans takes the
/// codec listed last for a type, and its own assembly's list may be read before or after this one: adding Orleans' codec
/// first leaves its later addition without effect, and adding ours again puts it last.</summary>
public sealed class ImmutableArraysStoredAsArrays : TypeManifestProviderBase
{
    /// <inheritdoc/>
    protected override void ConfigureInner(TypeManifestOptions options)
    {
        options.Serializers.Add(typeof(ImmutableArrayCodec<>));
        options.Serializers.Remove(typeof(ArrayFormatImmutableArrayCodec<>));
        options.Serializers.Add(typeof(ArrayFormatImmutableArrayCodec<>));
    }
}
