<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Hook;

use Drupal\Core\Entity\Display\EntityViewDisplayInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Session\AccountProxyInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\Url;
use Drupal\node\NodeInterface;
use Drupal\recipe_box\FavoritesManager;

/**
 * Adds the favorite toggle and the theme hook for shopping lists.
 */
class RecipeBoxDisplayHooks {

  use StringTranslationTrait;

  public function __construct(
    protected readonly FavoritesManager $favorites,
    protected readonly AccountProxyInterface $currentUser,
  ) {}

  /**
   * Implements hook_theme().
   */
  #[Hook('theme')]
  public function theme(): array {
    return [
      'recipe_box_shopping_list' => [
        'variables' => ['items' => [], 'recipes' => []],
      ],
    ];
  }

  /**
   * Implements hook_ENTITY_TYPE_view() for node entities.
   */
  #[Hook('node_view')]
  public function favoriteLink(array &$build, NodeInterface $node, EntityViewDisplayInterface $display, string $view_mode): void {
    if ($node->bundle() !== 'recipe' || $view_mode !== 'full' || !$this->currentUser->hasPermission('keep favorite recipes')) {
      return;
    }
    $is_favorite = $this->favorites->isFavorite($this->currentUser, $node);
    $build['recipe_box_favorite'] = [
      '#type' => 'link',
      '#title' => $is_favorite ? $this->t('Remove from favorites') : $this->t('Add to favorites'),
      '#url' => Url::fromRoute('recipe_box.favorite_toggle', ['node' => $node->id()]),
      '#attributes' => ['class' => ['button', 'recipe-favorite']],
      '#weight' => -5,
      '#cache' => [
        'contexts' => ['user'],
        'tags' => ['recipe_box_favorites:' . $this->currentUser->id()],
      ],
    ];
  }

}
