package dev.flowsync.core;

/**
 * Base of every exception FlowSync throws on purpose. Unchecked, and always carrying the protocol
 * {@link ErrorCode} the client will see. Messages name the object and the value, e.g. {@code Room
 * 'r1' is full (capacity 8)}.
 */
public class FlowSyncException extends RuntimeException {
  /** The protocol code; part of the serialized form. */
  private final ErrorCode code;

  /**
   * An exception with a protocol code.
   *
   * @param code the code the client will see; never null
   * @param message what failed, naming the object and the value
   */
  public FlowSyncException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * An exception with a protocol code and a cause.
   *
   * @param code the code the client will see; never null
   * @param message what failed, naming the object and the value
   * @param cause the underlying failure
   */
  public FlowSyncException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The protocol error code.
   *
   * @return never null
   */
  public ErrorCode code() {
    return code;
  }

  /** {@code not_found}: the room (or other object) does not exist. */
  public static final class NotFoundException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public NotFoundException(String message) {
      super(ErrorCode.NOT_FOUND, message);
    }
  }

  /** {@code forbidden}: the caller is authenticated but may not do this. */
  public static final class ForbiddenException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public ForbiddenException(String message) {
      super(ErrorCode.FORBIDDEN, message);
    }
  }

  /** {@code room_full}: admission would exceed the room's capacity. */
  public static final class RoomFullException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public RoomFullException(String message) {
      super(ErrorCode.ROOM_FULL, message);
    }
  }

  /** {@code conflict}: the command does not fit the current state, or the id is taken. */
  public static final class ConflictException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public ConflictException(String message) {
      super(ErrorCode.CONFLICT, message);
    }
  }

  /** {@code bad_request}: a field is missing, of the wrong type or out of range. */
  public static final class BadRequestException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public BadRequestException(String message) {
      super(ErrorCode.BAD_REQUEST, message);
    }
  }

  /** {@code too_large}: a value is over its size limit. */
  public static final class TooLargeException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public TooLargeException(String message) {
      super(ErrorCode.TOO_LARGE, message);
    }
  }

  /** {@code unauthorized}: the token is missing, unknown, expired or revoked. */
  public static final class UnauthorizedException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public UnauthorizedException(String message) {
      super(ErrorCode.UNAUTHORIZED, message);
    }
  }

  /** {@code peer_not_found}: the signal's target is not a member of the room. */
  public static final class PeerNotFoundException extends FlowSyncException {
    /**
     * @param message what failed, naming the object and the value
     */
    public PeerNotFoundException(String message) {
      super(ErrorCode.PEER_NOT_FOUND, message);
    }
  }

  /** {@code unavailable}: a store or the cluster could not be reached; nothing was changed. */
  public static final class UnavailableException extends FlowSyncException {
    /**
     * @param message what failed
     * @param cause the store's or the bus's failure
     */
    public UnavailableException(String message, Throwable cause) {
      super(ErrorCode.UNAVAILABLE, message, cause);
    }
  }
}
