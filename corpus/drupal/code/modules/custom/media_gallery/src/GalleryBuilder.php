<?php

declare(strict_types=1);

namespace Drupal\media_gallery;

use Drupal\Core\Cache\CacheableMetadata;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\File\FileUrlGeneratorInterface;
use Drupal\file\FileInterface;
use Drupal\taxonomy\TermInterface;

/**
 * Loads the images of an album and turns them into gallery grid items.
 */
class GalleryBuilder {

  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly FileUrlGeneratorInterface $fileUrlGenerator,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Loads the published image media of an album, newest first.
   *
   * @return \Drupal\media\MediaInterface[]
   *   The media entities.
   */
  public function loadAlbumMedia(TermInterface $album, ?int $limit = NULL): array {
    $limit ??= (int) $this->configFactory->get('media_gallery.settings')->get('items_per_album');
    $ids = $this->entityTypeManager->getStorage('media')->getQuery()
      ->accessCheck(TRUE)
      ->condition('bundle', 'image')
      ->condition('status', 1)
      ->condition('field_gallery', $album->id())
      ->sort('created', 'DESC')
      ->range(0, $limit)
      ->execute();
    return $this->entityTypeManager->getStorage('media')->loadMultiple($ids);
  }

  /**
   * Converts media entities into the items the gallery grid component takes.
   *
   * @param \Drupal\media\MediaInterface[] $media
   *   The media to show.
   * @param string|null $image_style
   *   The image style of the thumbnails, or NULL for the configured one.
   */
  public function buildItems(array $media, ?string $image_style = NULL): array {
    $style_id = $image_style ?? $this->configFactory->get('media_gallery.settings')->get('image_style');
    $style = $this->entityTypeManager->getStorage('image_style')->load($style_id);

    $items = [];
    foreach ($media as $item) {
      $file = $item->get('thumbnail')->entity;
      if (!$file instanceof FileInterface) {
        continue;
      }
      $uri = $file->getFileUri();
      $items[] = [
        'src' => $style ? $this->fileUrlGenerator->transformRelative($style->buildUrl($uri)) : $this->fileUrlGenerator->generateString($uri),
        'alt' => (string) $item->get('thumbnail')->alt,
        'caption' => $item->label(),
        'full' => $this->fileUrlGenerator->generateString($uri),
      ];
    }
    return $items;
  }

  /**
   * Builds the render array of a whole album.
   */
  public function buildAlbum(TermInterface $album, int $columns = 4): array {
    $media = $this->loadAlbumMedia($album);
    $build = [
      '#type' => 'component',
      '#component' => 'media_gallery:gallery-grid',
      '#props' => [
        'columns' => $columns,
        'items' => $this->buildItems($media),
      ],
    ];

    $metadata = CacheableMetadata::createFromObject($album)
      ->addCacheTags(['media_list:image', 'config:media_gallery.settings']);
    foreach ($media as $item) {
      $metadata->addCacheableDependency($item);
    }
    $metadata->applyTo($build);
    return $build;
  }

}
