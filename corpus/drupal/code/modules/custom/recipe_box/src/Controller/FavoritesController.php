<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Controller;

use Drupal\Core\Access\AccessResult;
use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;
use Drupal\recipe_box\FavoritesManager;
use Drupal\user\UserInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;

/**
 * Lists a user's favorite recipes and toggles a recipe in or out of them.
 */
class FavoritesController extends ControllerBase {

  public function __construct(
    protected readonly FavoritesManager $favorites,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('recipe_box.favorites'));
  }

  /**
   * Allows users to see their own favorites, and privileged users anyone's.
   */
  public function access(UserInterface $user, AccountInterface $account): AccessResultInterface {
    $own = (int) $user->id() === (int) $account->id();
    return AccessResult::allowedIf($own && $account->hasPermission('keep favorite recipes'))
      ->orIf(AccessResult::allowedIfHasPermission($account, 'view favorite recipes of others'))
      ->cachePerUser();
  }

  /**
   * Shows the favorites of a user as recipe cards.
   */
  public function overview(UserInterface $user): array {
    $build = [
      '#type' => 'container',
      '#attributes' => ['class' => ['recipe-favorites']],
      '#cache' => ['tags' => ['recipe_box_favorites:' . $user->id(), 'node_list:recipe']],
    ];
    $recipes = $this->favorites->load($user);
    if (!$recipes) {
      $build['empty'] = [
        '#markup' => $this->t('No favorite recipes yet. Use the "Add to favorites" button on a recipe.'),
      ];
      return $build;
    }
    foreach ($recipes as $nid => $recipe) {
      $build[$nid] = [
        '#type' => 'component',
        '#component' => 'recipe_box:recipe-card',
        '#props' => [
          'title' => $recipe->label(),
          'url' => $recipe->toUrl()->toString(),
          'total_minutes' => (int) $recipe->get('field_total_time')->value,
          'servings' => (int) $recipe->get('field_servings')->value,
        ],
      ];
    }
    return $build;
  }

  /**
   * Adds the recipe to the current user's favorites, or removes it.
   */
  public function toggle(NodeInterface $node): RedirectResponse {
    $added = $this->favorites->toggle($this->currentUser(), $node);
    $this->messenger()->addStatus($added
      ? $this->t('%recipe was added to your favorites.', ['%recipe' => $node->label()])
      : $this->t('%recipe was removed from your favorites.', ['%recipe' => $node->label()]));
    return $this->redirect('entity.node.canonical', ['node' => $node->id()]);
  }

}
