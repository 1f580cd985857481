"""Published committee papers: the documents of a quarter frozen as they were published,
kept byte for byte for ever."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskkit.extensions import db
from riskkit.models.base import utcnow


class Publication(db.Model):
    """A quarter's papers as published: what they were as of, who published them, when."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), unique=True)  # 2025Q1
    as_of: Mapped[date] = mapped_column(Date)
    since: Mapped[date] = mapped_column(Date)  # the changes table's starting day
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The name as it was, kept if the person is later removed (or for the command line).
    published_by: Mapped[str] = mapped_column(String(120))

    documents: Mapped[list["PublishedDocument"]] = relationship(
        back_populates="publication", order_by="PublishedDocument.id", cascade="all, delete-orphan")


class PublishedDocument(db.Model):
    """One document of a publication, as the bytes that were published, and their
    SHA-256 so anyone can check a copy against it."""

    __tablename__ = "published_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # the file name it downloads as
    title: Mapped[str] = mapped_column(String(200))  # what it is, in words
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    publication: Mapped[Publication] = relationship(back_populates="documents")


class DocumentLog(db.Model):
    """Who published, exported or downloaded a committee document, and when: the audit
    trail internal audit asks for alongside the documents themselves."""

    __tablename__ = "document_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120))  # the name as it was
    action: Mapped[str] = mapped_column(String(12))  # vocab.DOCUMENT_ACTIONS
    document: Mapped[str] = mapped_column(String(200))  # what, in words: "Register appendix"
    detail: Mapped[str] = mapped_column(String(300), default="")  # file name, quarter, filters
