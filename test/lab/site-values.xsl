<?xml version="1.0"?>
<!-- The lab's site transform. Site-specific values in the lab are written "<site>:<value>"; an
     instance attribute that carries the source site's prefix gets this site's instead. The same
     stylesheet serves both sites, because the subscriber passes local_site and source_site. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="local_site"/>
  <xsl:param name="source_site"/>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <xsl:template match="nvpair/@value">
    <xsl:attribute name="value">
      <xsl:choose>
        <xsl:when test="starts-with(., concat($source_site, ':'))">
          <xsl:value-of select="concat($local_site, ':', substring-after(., ':'))"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
      </xsl:choose>
    </xsl:attribute>
  </xsl:template>
</xsl:stylesheet>
