<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Url;
use Drupal\media_gallery\GalleryBuilder;
use Drupal\taxonomy\TermInterface;

/**
 * Shows the list of albums and the images of one album.
 *
 * The gallery builder is autowired into the constructor by ControllerBase.
 */
class GalleryController extends ControllerBase {

  public function __construct(
    protected readonly GalleryBuilder $galleryBuilder,
  ) {}

  /**
   * Lists every album that has at least one image, with a cover thumbnail.
   */
  public function overview(): array {
    $vocabulary = $this->config('media_gallery.settings')->get('vocabulary');
    $terms = $this->entityTypeManager()->getStorage('taxonomy_term')->loadByProperties([
      'vid' => $vocabulary,
      'status' => 1,
    ]);

    $tiles = [];
    foreach ($terms as $term) {
      $cover = $this->galleryBuilder->buildItems($this->galleryBuilder->loadAlbumMedia($term, 1));
      if (!$cover) {
        continue;
      }
      $tiles[$term->id()] = [
        '#type' => 'component',
        '#component' => 'media_gallery:gallery-tile',
        '#props' => [
          'src' => $cover[0]['src'],
          'alt' => $cover[0]['alt'],
          'caption' => $term->label(),
          'href' => Url::fromRoute('media_gallery.album', ['taxonomy_term' => $term->id()])->toString(),
        ],
      ];
    }

    $build = [
      '#type' => 'container',
      '#attributes' => ['class' => ['gallery-albums']],
      '#cache' => [
        'tags' => ['taxonomy_term_list:' . $vocabulary, 'media_list:image', 'config:media_gallery.settings'],
      ],
    ];
    $build += $tiles ?: ['empty' => ['#markup' => $this->t('No albums have been published yet.')]];
    return $build;
  }

  /**
   * Shows the images of one album.
   */
  public function album(TermInterface $taxonomy_term): array {
    $build['description'] = [
      '#type' => 'processed_text',
      '#text' => $taxonomy_term->getDescription(),
      '#format' => $taxonomy_term->getFormat(),
    ];
    $build['grid'] = $this->galleryBuilder->buildAlbum($taxonomy_term);
    return $build;
  }

  /**
   * Title callback for an album page.
   */
  public function albumTitle(TermInterface $taxonomy_term): string {
    return (string) $taxonomy_term->label();
  }

}
